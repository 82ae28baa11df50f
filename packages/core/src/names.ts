// The RFC 1034 label(s) a chatbot is known by in its default and custom hosts.

import type { ChatbotFacts } from "./facts.ts";

export const RFC1034_NAME_MAX_LENGTH = 63;

/** Length of the "-xxxxxxxx" suffix that replaces the tail of a truncated part. */
const HASH_SUFFIX_LENGTH = 9;
/** When a name.username pair is too long, the username keeps at least this much. */
const USERNAME_FAIR_SHARE = 31;

/**
 * Account admin → `<name>`, anyone else → `<name>.<username>` (seed examples: "example",
 * "example.user123"). Each part is lower-cased with no word splitting (`myChatBot` →
 * `mychatbot`, as the seed only asks for lower case); accents are dropped (`José` → `jose`);
 * every run of other characters becomes one hyphen, trimmed at the ends (`john_doe` →
 * `john-doe`). A part that ends up empty becomes `chatbot-<hash>` / `user-<hash>`.
 *
 * The whole result is at most 63 characters: the username keeps min(its length, max(31, what
 * the name leaves)) and the name gets the rest. A part that must be cut keeps its head and
 * ends in `-<8 hex FNV-1a of the original part>`, so distinct long names stay distinct and
 * the result is deterministic.
 */
export function rfc1034CompliantName(facts: Pick<ChatbotFacts, "name" | "owner">): string {
  const name = sanitizePart(facts.name, "chatbot");
  if (facts.owner.isAccountAdmin) return fitPart(name, RFC1034_NAME_MAX_LENGTH, facts.name);
  const budget = RFC1034_NAME_MAX_LENGTH - 1;
  const username = fitPart(
    sanitizePart(facts.owner.username, "user"),
    Math.max(USERNAME_FAIR_SHARE, budget - name.length),
    facts.owner.username,
  );
  return `${fitPart(name, budget - username.length, facts.name)}.${username}`;
}

/** One label as rfc1034CompliantName() produces them (and as default hosts must contain). */
export function isRfc1034Label(label: string): boolean {
  return (
    label.length <= RFC1034_NAME_MAX_LENGTH &&
    /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(label) &&
    !label.includes("--")
  );
}

function sanitizePart(raw: string, fallbackPrefix: string): string {
  const label = raw
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return label.length > 0 ? label : `${fallbackPrefix}-${fnv1a32(raw)}`;
}

function fitPart(label: string, max: number, raw: string): string {
  if (label.length <= max) return label;
  const head = label.slice(0, max - HASH_SUFFIX_LENGTH).replace(/-$/, "");
  return `${head}-${fnv1a32(raw)}`;
}

/** FNV-1a over UTF-16 code units, as 8 hex digits: tiny, stable, good enough to separate names. */
function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
