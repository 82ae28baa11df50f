// The 32-bit FNV-1a that rfc1034CompliantName() used to shorten long names, kept only to show
// that its collisions are found by a plain birthday search in well under a second.

/** The old suffix: FNV-1a over UTF-16 code units, 8 hex digits. */
export function legacyFnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * Two distinct valid chatbot names (letters and digits, ≤ 63 characters) that start with
 * `prefix` and have the same legacy hash: with a common head long enough, the old function
 * shortened both to the same label. Deterministic (the same pair on every run).
 */
export function legacyFnvCollision(prefix: string): [string, string] {
  const seen = new Map<string, string>();
  for (let i = 0; i < 5_000_000; i++) {
    const name = `${prefix}${i.toString(36).padStart(12, "0")}`;
    const hash = legacyFnv1a32(name);
    const earlier = seen.get(hash);
    if (earlier !== undefined) return [earlier, name];
    seen.set(hash, name);
  }
  throw new Error("no 32-bit collision in 5,000,000 names");
}
