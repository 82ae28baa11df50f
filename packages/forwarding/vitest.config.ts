import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "forwarding", include: ["test/**/*.test.ts"] },
});
