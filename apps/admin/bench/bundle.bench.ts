// The admin app's first-load JavaScript, gzipped, next to an empty React app built the same
// way (Vite, @vitejs/plugin-react, production) in the same run. Both builds have no lazy
// chunks, so every script file of the build loads first.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { build } from "vite";
import type { BenchModule, BenchSection } from "../../../scripts/bench-types.ts";

const ADMIN = join(import.meta.dirname, "..");
const GOAL_KB = 150;

async function gzippedScripts(root: string, config: "admin" | "baseline"): Promise<number> {
  const outDir = await mkdtemp(join(tmpdir(), `bench-${config}-`));
  try {
    await build({
      root,
      base: "./",
      logLevel: "silent",
      // The admin app brings its own vite.config.ts; the baseline gets the same plugin.
      configFile: config === "admin" ? join(ADMIN, "vite.config.ts") : false,
      ...(config === "admin" ? {} : { plugins: [react()] }),
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

export const run: BenchModule["run"] = async (): Promise<BenchSection[]> => {
  const baseline = await gzippedScripts(join(ADMIN, "bench", "baseline"), "baseline");
  const admin = await gzippedScripts(ADMIN, "admin");
  const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
  return [
    {
      title: "Admin app first load",
      baseline: "an empty React app built the same way (Vite, plugin-react, production)",
      rows: [
        {
          name: "first-load JavaScript, gzipped",
          value: kb(admin),
          unit: "KiB",
          baseline: kb(baseline),
          ratio: Math.round((admin / baseline) * 100) / 100,
          goal: `≤ ${GOAL_KB} KiB`,
          met: admin <= GOAL_KB * 1024,
        },
      ],
      notes: ["Everything in the build loads on the first page: the app has no lazy chunks."],
    },
  ];
};
