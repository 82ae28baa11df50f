import { defineConfig } from "vitest/config";
import { embeddedDatabaseNodeFlags } from "../../scripts/embedded-node.mjs";

export default defineConfig({
  test: {
    name: "db",
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    execArgv: embeddedDatabaseNodeFlags,
  },
});
