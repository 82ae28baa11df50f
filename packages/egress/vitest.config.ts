import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "egress", include: ["test/**/*.test.ts"] },
});
