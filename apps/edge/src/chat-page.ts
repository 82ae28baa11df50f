// The chat page, its assets and the widget script: built by apps/chat into the worker's static
// assets (wrangler.toml [assets], served worker-first) and answered here through the ASSETS
// binding, so the worker decides where they are served and with which headers.
import { BotgateError, frameAncestors } from "@botgate/core";

interface AssetsBinding {
  fetch(input: string): Promise<Response>;
}

const ASSET_ORIGIN = "https://assets.invalid";

/** `_botgate/<file>` names the page's own hashed files; nothing else is served from there. */
const ASSET_NAME = /^[a-z0-9-]{1,64}\.(js|css)$/;

function assetsOf(bindings: unknown): AssetsBinding {
  const assets = (bindings as { ASSETS?: unknown } | null)?.ASSETS;
  if (typeof (assets as AssetsBinding | undefined)?.fetch !== "function") {
    const error = new BotgateError("INTERNAL", "The edge is misconfigured.");
    error.cause = "the ASSETS binding is missing (wrangler.toml [assets])";
    throw error;
  }
  return assets as AssetsBinding;
}

/**
 * The bytes of each file the binding served, per binding: a deployment's assets never change
 * while its isolates live (a new version starts new isolates), and the page is answered on
 * every chatbot's every visit. Only files that exist are kept, so the entries are bounded by
 * the build's own files.
 */
const assetBytes = new WeakMap<AssetsBinding, Map<string, Promise<Uint8Array>>>();

async function fetchAsset(bindings: unknown, path: string): Promise<Uint8Array> {
  const assets = assetsOf(bindings);
  let files = assetBytes.get(assets);
  if (files === undefined) {
    files = new Map();
    assetBytes.set(assets, files);
  }
  let bytes = files.get(path);
  if (bytes === undefined) {
    bytes = readAsset(assets, path);
    files.set(path, bytes);
    // A failure is not kept: the next request asks the binding again.
    bytes.catch(() => {
      if (files.get(path) === bytes) files.delete(path);
    });
  }
  return bytes;
}

async function readAsset(assets: AssetsBinding, path: string): Promise<Uint8Array> {
  const response = await assets.fetch(`${ASSET_ORIGIN}/${path}`);
  if (response.ok) return new Uint8Array(await response.arrayBuffer());
  await response.body?.cancel();
  if (response.status === 404 && path.startsWith("_botgate/")) {
    // An old page asking for a file of an earlier build: gone, not broken.
    throw new BotgateError("NOT_FOUND", "No such file.");
  }
  const error = new BotgateError("INTERNAL", "The chat page is not available.");
  error.cause = `asset ${path}: HTTP ${response.status} (was apps/chat built? node scripts/setup.mjs)`;
  throw error;
}

/**
 * The page may load its own files, talk to its own origin, show https images (logo and
 * background from the chatbot's fields) and be framed only by the origins the chatbot allows.
 */
function chatPageHeaders(embedOrigins: readonly string[]): [string, string][] {
  return [
    ["Content-Type", "text/html; charset=UTF-8"],
    [
      "Content-Security-Policy",
      `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' https: data:; base-uri 'none'; form-action 'self'; frame-ancestors ${frameAncestors(embedOrigins)}`,
    ],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "no-referrer"],
    ["Cache-Control", "no-cache"],
  ];
}

/**
 * The headers per list of embed origins: an L1 hit hands back the same route record, and so
 * the same list, on every visit, and the page is what most visits ask for.
 */
const pageHeaders = new WeakMap<readonly string[], [string, string][]>();

/** For the pages that name no chatbot (by-id addresses before any credential). */
export const NO_EMBED_ORIGINS: readonly string[] = Object.freeze([]);

function withServerTiming(headers: [string, string][], serverTiming: string | undefined): [string, string][] {
  return serverTiming === undefined ? headers : [...headers, ["Server-Timing", serverTiming]];
}

/** The page as text, decoded once per binding (a Response copies bytes it is given, not text). */
const pageText = new WeakMap<Uint8Array, string>();

/** `serverTiming` (page and widget): the route's, set with the rest rather than added afterwards. */
export async function chatPage(
  bindings: unknown,
  embedOrigins: readonly string[],
  serverTiming?: string,
): Promise<Response> {
  const bytes = await fetchAsset(bindings, "chat.html");
  let text = pageText.get(bytes);
  if (text === undefined) {
    text = new TextDecoder().decode(bytes);
    pageText.set(bytes, text);
  }
  let headers = pageHeaders.get(embedOrigins);
  if (headers === undefined) {
    headers = chatPageHeaders(embedOrigins);
    pageHeaders.set(embedOrigins, headers);
  }
  return new Response(text, { status: 200, headers: withServerTiming(headers, serverTiming) });
}

/** One of the page's hashed files: immutable, so browsers and Cloudflare cache it for good. */
export async function chatAsset(bindings: unknown, name: string): Promise<Response> {
  if (!ASSET_NAME.test(name)) throw new BotgateError("NOT_FOUND", "No such file.");
  return new Response(await fetchAsset(bindings, `_botgate/${name}`), {
    status: 200,
    headers: {
      "Content-Type": name.endsWith(".js") ? "text/javascript; charset=UTF-8" : "text/css; charset=UTF-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

const WIDGET_HEADERS: [string, string][] = [
  ["Content-Type", "text/javascript; charset=UTF-8"],
  ["Cache-Control", "public, max-age=300"],
  ["X-Content-Type-Options", "nosniff"],
  ["Cross-Origin-Resource-Policy", "cross-origin"],
];

/** widget.js keeps one URL on customers' sites, so it is cached briefly and revalidated. */
export async function widgetScript(bindings: unknown, serverTiming?: string): Promise<Response> {
  return new Response(await fetchAsset(bindings, "widget.js"), {
    status: 200,
    headers: withServerTiming(WIDGET_HEADERS, serverTiming),
  });
}
