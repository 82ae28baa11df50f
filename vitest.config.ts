import { defineConfig } from "vitest/config";

// One project per package (its own vitest.config.*): Node packages run in Node, the edge
// worker in workerd; apps/edge/vitest.browser.config.ts drives its pages in Chromium.
export default defineConfig({
  test: {
    projects: [
      "packages/*/vitest.config.{ts,mts}",
      "apps/*/vitest.config.{ts,mts}",
      "apps/*/vitest.browser.config.ts",
    ],
  },
});
