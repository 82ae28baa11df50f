import { defineConfig } from "vitest/config";
import { embeddedDatabaseNodeFlags } from "../../scripts/embedded-node.mjs";

export default defineConfig({
  test: {
    name: "api",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Test databases are embedded without DATABASE_URL, and the outage tests always embed one.
    execArgv: embeddedDatabaseNodeFlags,
  },
});
