// packages/core's weight in a bundle (the edge worker and the admin app both ship it):
// minified and gzipped, next to its only runtime dependency, punycode, bundled the same way.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { BenchSection } from "../../../scripts/bench-types.ts";

async function bundledBytes(stdin: string): Promise<{ minified: number; gzipped: number }> {
  const result = await build({
    stdin: { contents: stdin, resolveDir: new URL("..", import.meta.url).pathname, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    write: false,
  });
  const code = result.outputFiles[0]!.contents;
  return { minified: code.byteLength, gzipped: gzipSync(code).byteLength };
}

export async function run(): Promise<BenchSection[]> {
  // Everything exported, so tree-shaking cannot hide any of it.
  const core = await bundledBytes(`export * from "./src/index.ts";`);
  const punycode = await bundledBytes(`export * from "punycode/punycode.es6.js";`);
  const kib = (n: number) => Math.round((n / 1024) * 100) / 100;
  return [
    {
      title: "packages/core bundle size",
      baseline:
        "the punycode package alone, bundled and minified the same way (esbuild, ESM, neutral platform)",
      rows: [
        {
          name: "core, minified (includes punycode)",
          value: kib(core.minified),
          unit: "KiB",
          baseline: kib(punycode.minified),
          ratio: core.minified / punycode.minified,
        },
        {
          name: "core, minified + gzip",
          value: kib(core.gzipped),
          unit: "KiB",
          baseline: kib(punycode.gzipped),
          ratio: core.gzipped / punycode.gzipped,
          goal: "no runtime dependency heavier than punycode; < 20 KiB gzipped",
          met: core.gzipped < 20 * 1024,
        },
      ],
      notes: [
        "Command: `pnpm bench` (this section alone: `node_modules/.bin/tsx scripts/bench.ts bundle-size`).",
      ],
    },
  ];
}
