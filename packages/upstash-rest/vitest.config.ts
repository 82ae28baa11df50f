import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "upstash-rest", include: ["test/**/*.test.ts"] },
});
