import { defineConfig } from "vitest/config";
import { embeddedDatabaseNodeFlags } from "../../scripts/embedded-node.mjs";

// The admin app: procedure coverage and README checks in Node, and the built app in Debian's
// Chromium (playwright-core) against a real API. globalSetup builds the app once.
export default defineConfig({
  test: {
    name: "admin",
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/build.global.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    execArgv: embeddedDatabaseNodeFlags,
    // A browser on a loaded 2-core machine can take seconds to show a change: polls wait long.
    expect: { poll: { timeout: 30_000, interval: 100 } },
  },
});
