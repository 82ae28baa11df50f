// What a visitor downloads: the chat page's first load (HTML + JS + CSS) and the widget script,
// gzipped, each next to the same build (esbuild, minified) of what it cannot do without: the
// Markdown renderer and sanitizer alone for the page, an empty script for the widget.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { BenchSection } from "../../../scripts/bench-types.ts";
import { buildChatAssets } from "../build.ts";

async function gzippedBundle(contents: string, format: "esm" | "iife"): Promise<number> {
  const result = await build({
    stdin: { contents, resolveDir: join(import.meta.dirname, ".."), loader: "ts" },
    bundle: true,
    minify: true,
    format,
    target: ["es2022"],
    write: false,
    legalComments: "none",
  });
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function run(): Promise<BenchSection[]> {
  const out = await mkdtemp(join(tmpdir(), "botgate-chat-bench-"));
  try {
    const assets = await buildChatAssets(out);
    const libraries = await gzippedBundle(
      `import DOMPurify from "dompurify"; import { marked } from "marked"; console.log(DOMPurify, marked);`,
      "esm",
    );
    const empty = await gzippedBundle(`console.log(1);`, "iife");
    return [
      {
        title: "Chat page and widget size",
        baseline:
          "the same esbuild build of marked + DOMPurify alone (page), and of a one-statement script (widget)",
        rows: [
          {
            name: "chat page first load (HTML + JS + CSS), gzip",
            value: kib(assets.pageFirstLoadGzip),
            unit: "KiB",
            baseline: kib(libraries),
            ratio: assets.pageFirstLoadGzip / libraries,
            goal: "≤ 50 KB gzipped",
            met: assets.pageFirstLoadGzip <= 50_000,
          },
          {
            name: "widget.js, gzip",
            value: assets.widgetGzip,
            unit: "bytes",
            baseline: empty,
            ratio: assets.widgetGzip / empty,
            goal: "≤ 5 KB gzipped; loads nothing before the click",
            met: assets.widgetGzip <= 5_000,
          },
        ],
        notes: [
          "Command: `pnpm bench` (this section alone: `node_modules/.bin/tsx scripts/bench.ts chat/bench`).",
        ],
      },
    ];
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
