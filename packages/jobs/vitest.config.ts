import { defineConfig } from "vitest/config";
import { embeddedDatabaseNodeFlags } from "../../scripts/embedded-node.mjs";

export default defineConfig({
  test: {
    name: "jobs",
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    execArgv: embeddedDatabaseNodeFlags,
  },
});
