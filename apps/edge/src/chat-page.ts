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
 * Response headers built once per key and Server-Timing value (one per route tier, so a
 * handful), as Headers: a Response copies a Headers object natively in workerd, where building
 * the page's from JavaScript pairs cost about 20 µs, more than the rest of an L1 hit, and each
 * header set afterwards about 2 µs (bench/edge-inprocess.bench.ts). The page's key is its route
 * record's list of embed origins, the same list on every L1 hit. Never handed out: each
 * response gets a copy.
 */
class HeaderSets<K extends object> {
  readonly #sets = new WeakMap<K, Map<string, Headers>>();
  readonly #build: (key: K) => [string, string][];

  constructor(build: (key: K) => [string, string][]) {
    this.#build = build;
  }

  get(key: K, serverTiming: string | undefined): Headers {
    let sets = this.#sets.get(key);
    if (sets === undefined) {
      sets = new Map();
      this.#sets.set(key, sets);
    }
    const name = serverTiming ?? "";
    let headers = sets.get(name);
    if (headers === undefined) {
      headers = new Headers(this.#build(key));
      if (serverTiming !== undefined) headers.set("Server-Timing", serverTiming);
      sets.set(name, headers);
    }
    return headers;
  }
}

const pageHeaders = new HeaderSets(chatPageHeaders);

/** For the pages that name no chatbot (by-id addresses before any credential). */
export const NO_EMBED_ORIGINS: readonly string[] = Object.freeze([]);

/** The page as text, decoded once per binding (a Response copies bytes it is given, not text). */
const pageText = new WeakMap<Uint8Array, string>();

/** `serverTiming` (page and widget): the route's, when a route was looked up. */
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
  return new Response(text, { status: 200, headers: pageHeaders.get(embedOrigins, serverTiming) });
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

const WIDGET = Object.freeze({});
const widgetHeaders = new HeaderSets<typeof WIDGET>(() => [
  ["Content-Type", "text/javascript; charset=UTF-8"],
  ["Cache-Control", "public, max-age=300"],
  ["X-Content-Type-Options", "nosniff"],
  ["Cross-Origin-Resource-Policy", "cross-origin"],
]);

/** widget.js keeps one URL on customers' sites, so it is cached briefly and revalidated. */
export async function widgetScript(bindings: unknown, serverTiming?: string): Promise<Response> {
  return new Response(await fetchAsset(bindings, "widget.js"), {
    status: 200,
    headers: widgetHeaders.get(WIDGET, serverTiming),
  });
}
