import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Relative asset paths: the same build works behind the API at /admin/ and at the root of a
// static host (Cloudflare Pages). Routing is by URL hash, so no server rewrites are needed.
export default defineConfig({
  base: "./",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 600 },
});
