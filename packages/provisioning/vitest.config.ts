import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { name: "provisioning", include: ["test/**/*.test.ts"] },
});
