// Builds the chat page and the widget into dist/, the edge worker's static assets
// (wrangler.toml [assets]): chat.html, _botgate/chat-<hash>.{js,css} (immutable) and
// widget.js (a fixed URL customers paste into their sites). Run by scripts/setup.mjs.
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
export const DIST = join(here, "dist");

export interface ChatAssets {
  /** Path inside dist → gzipped size in bytes. */
  gzipBytes: Record<string, number>;
  /** What the chat page's first load transfers, gzipped: HTML + JS + CSS. */
  pageFirstLoadGzip: number;
  widgetGzip: number;
}

const hashOf = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex").slice(0, 12);

async function bundle(entry: string, format: "esm" | "iife"): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(here, "src", entry)],
    bundle: true,
    minify: true,
    format,
    target: ["es2022"],
    write: false,
    legalComments: "none",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.contents;
}

export async function buildChatAssets(outDir = DIST): Promise<ChatAssets> {
  const [js, widget, cssResult] = await Promise.all([
    bundle("page.ts", "esm"),
    bundle("widget.ts", "iife"),
    build({ entryPoints: [join(here, "src", "page.css")], bundle: true, minify: true, write: false }),
  ]);
  const css = cssResult.outputFiles[0]?.contents;
  if (css === undefined) throw new Error("esbuild produced no CSS");
  const jsName = `chat-${hashOf(js)}.js`;
  const cssName = `chat-${hashOf(css)}.css`;
  const html = (await readFile(join(here, "src", "page.html"), "utf8"))
    .replace("%JS%", jsName)
    .replace("%CSS%", cssName)
    .replace(/>\s+</g, "><");
  const files: Record<string, Uint8Array | string> = {
    "chat.html": html,
    [`_botgate/${jsName}`]: js,
    [`_botgate/${cssName}`]: css,
    "widget.js": widget,
  };
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, "_botgate"), { recursive: true });
  const gzipBytes: Record<string, number> = {};
  for (const [path, content] of Object.entries(files)) {
    await writeFile(join(outDir, path), content);
    gzipBytes[path] = gzipSync(content, { level: 9 }).length;
  }
  const page = ["chat.html", `_botgate/${jsName}`, `_botgate/${cssName}`];
  return {
    gzipBytes,
    pageFirstLoadGzip: page.reduce((sum, path) => sum + (gzipBytes[path] ?? 0), 0),
    widgetGzip: gzipBytes["widget.js"] ?? 0,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const assets = await buildChatAssets();
  console.log(
    `chat: page first load ${(assets.pageFirstLoadGzip / 1024).toFixed(1)} KiB gzipped, widget ${(assets.widgetGzip / 1024).toFixed(1)} KiB`,
  );
}
