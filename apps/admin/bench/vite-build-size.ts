// Gzipped first-load JavaScript of a Vite production build, and the baseline every web-face
// size is set against: an empty React app (bench/baseline) built the way the admin app is.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { build } from "vite";

const ADMIN = join(import.meta.dirname, "..");

export const EMPTY_REACT_APP =
  "an empty React app built the same way as the admin app (Vite, plugin-react, production)";

/** Every script file of the build (neither build has lazy chunks, so all of them load first). */
export async function gzippedViteScripts(app: "admin" | "empty-react-app"): Promise<number> {
  const outDir = await mkdtemp(join(tmpdir(), `bench-${app}-`));
  try {
    await build({
      root: app === "admin" ? ADMIN : join(ADMIN, "bench", "baseline"),
      base: "./",
      logLevel: "silent",
      // The admin app brings its own vite.config.ts; the baseline gets the same plugin.
      configFile: app === "admin" ? join(ADMIN, "vite.config.ts") : false,
      ...(app === "admin" ? {} : { plugins: [react()] }),
      build: { outDir, emptyOutDir: true },
    });
    const files = await readdir(outDir, { recursive: true });
    let total = 0;
    for (const file of files.filter((f) => f.endsWith(".js"))) {
      total += gzipSync(await readFile(join(outDir, file)), { level: 9 }).length;
    }
    return total;
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}
