// The admin app's static build (apps/admin) at /admin/: index.html and config.js always
// revalidated, content-hashed assets cached for a year, a strict CSP on every answer. The
// app talks only to this origin's /trpc; chat-page previews may show https images.
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { Hono } from "hono";

export const ADMIN_PATH = "/admin/";
export const DEFAULT_ADMIN_DIST = join(import.meta.dirname, "..", "..", "..", "admin", "dist");

export const ADMIN_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: https:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
};

const SECURITY_HEADERS = {
  "content-security-policy": ADMIN_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
};

/** Only plain file names, one level under assets/: nothing can climb out of the build. */
const FILE = /^(?:assets\/)?[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/;

export function adminRoutes(distDir: string = DEFAULT_ADMIN_DIST) {
  const app = new Hono();
  app.get("/admin", (c) => c.redirect(ADMIN_PATH, 308));
  app.get("/admin/*", async (c) => {
    const rest = c.req.path.slice(ADMIN_PATH.length) || "index.html";
    const type = TYPES[extname(rest)];
    if (!FILE.test(rest) || rest.includes("..") || !type) return c.notFound();
    const body = await readFile(join(distDir, rest)).catch(() => null);
    if (body === null) {
      if (rest !== "index.html") return c.notFound();
      return c.text(
        "The admin app is not built: run `pnpm --filter @botgate/admin build`.",
        503,
        SECURITY_HEADERS,
      );
    }
    const immutable = rest.startsWith("assets/");
    return c.body(new Uint8Array(body), 200, {
      ...SECURITY_HEADERS,
      "content-type": type,
      "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    });
  });
  return app;
}
