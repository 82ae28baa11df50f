// The sites a chatbot's chat page may be embedded in (its widget's iframe): origins such as
// `https://www.example.com`, enforced by the edge with CSP frame-ancestors. Shared by the admin
// API (which normalizes what owners type) and the edge (which re-checks what it reads from the
// routing cache before putting it in a header).

export const MAX_EMBED_ORIGINS = 20;

const ORIGIN = /^https?:\/\/[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$/;

/** Whether a value is an origin as normalizeEmbedOrigin() writes it (safe inside a CSP header). */
export function isEmbedOrigin(value: unknown): value is string {
  return typeof value === "string" && value.length <= 300 && ORIGIN.test(value);
}

/** `https://Example.com/` → `https://example.com`; null for anything that is not an http(s) origin. */
export function normalizeEmbedOrigin(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (
    url.username ||
    url.password ||
    (url.pathname !== "/" && url.pathname !== "") ||
    url.search ||
    url.hash
  ) {
    return null;
  }
  return isEmbedOrigin(url.origin) ? url.origin : null;
}

/** The CSP frame-ancestors value for a chat page: only the allowed origins, or nobody. */
export function frameAncestors(origins: readonly string[]): string {
  const allowed = origins.filter(isEmbedOrigin);
  return allowed.length === 0 ? "'none'" : allowed.join(" ");
}
