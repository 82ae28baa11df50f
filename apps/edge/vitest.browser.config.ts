import { defineConfig } from "vitest/config";
import { embeddedDatabaseNodeFlags } from "../../scripts/embedded-node.mjs";

// The chat page in a real browser (Debian's Chromium, driven by playwright-core) on a
// chatbot's real hostname, served by the worker in workerd (`wrangler dev`) in front of the
// real origin, database and Redis. Runs in Node, apart from the workerd project.
export default defineConfig({
  test: {
    name: "edge-browser",
    include: ["browser/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    execArgv: embeddedDatabaseNodeFlags,
    // A browser on a loaded 2-core machine can take seconds to show a change: polls wait long.
    expect: { poll: { timeout: 30_000, interval: 100 } },
  },
});
