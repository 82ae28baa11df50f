// Builds apps/admin/dist once per run: the browser tests use the real static build.
import { join } from "node:path";
import { build } from "vite";

/** The admin app's production build, into `outDir` (default apps/admin/dist). */
export async function buildAdmin(outDir?: string): Promise<void> {
  await build({
    root: join(import.meta.dirname, ".."),
    logLevel: "warn",
    ...(outDir === undefined ? {} : { build: { outDir, emptyOutDir: true } }),
  });
}

export default async function setup() {
  await buildAdmin();
}
