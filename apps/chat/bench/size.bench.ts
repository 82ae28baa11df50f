// What a visitor downloads: the chat page's first load (HTML + JS + CSS) and the widget script,
// gzipped, next to the web faces' common baseline (an empty React app's first-load script,
// built in the same run), and next to what each cannot do without, built the same way
// (esbuild, minified): the Markdown renderer and sanitizer alone, and a one-statement script.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import type { BenchSection } from "../../../scripts/bench-types.ts";
import { EMPTY_REACT_APP, gzippedViteScripts } from "../../admin/bench/vite-build-size.ts";
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
    const emptyReactApp = await gzippedViteScripts("empty-react-app");
    const page = assets.pageFirstLoadGzip;
    const widget = assets.widgetGzip;
    return [
      {
        title: "Chat page and widget size",
        baseline: `${EMPTY_REACT_APP}: its first-load JavaScript, gzipped`,
        rows: [
          {
            name: "chat page first load (HTML + JS + CSS), gzip",
            value: kib(page),
            unit: "KiB",
            baseline: kib(emptyReactApp),
            ratio: page / emptyReactApp,
            goal: "≤ 50 KB gzipped",
            met: page <= 50_000,
          },
          {
            name: "widget.js, gzip",
            value: widget,
            unit: "bytes",
            baseline: emptyReactApp,
            ratio: widget / emptyReactApp,
            goal: "≤ 5 KB gzipped; loads nothing before the click",
            met: widget <= 5_000,
          },
          {
            name: "chat page first load next to marked + DOMPurify alone (same esbuild build)",
            value: kib(page),
            unit: "KiB",
            baseline: kib(libraries),
            ratio: page / libraries,
          },
          {
            name: "widget.js next to a one-statement script (same esbuild build)",
            value: widget,
            unit: "bytes",
            baseline: empty,
            ratio: widget / empty,
          },
        ],
        notes: [
          "Command: `pnpm bench` (this section alone: `node_modules/.bin/tsx scripts/bench.ts chat/bench`).",
          "The chat page is plain TypeScript (no framework), so it weighs less than the empty React app it is set against.",
        ],
      },
    ];
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
