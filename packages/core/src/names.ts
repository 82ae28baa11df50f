// The RFC 1034 label(s) a chatbot is known by in its default and custom hosts.

import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import type { ChatbotFacts } from "./facts.ts";

export const RFC1034_NAME_MAX_LENGTH = 63;

/** Bits of SHA-256 kept in a name hash: far beyond any birthday search (2^52 tries for even odds). */
const NAME_HASH_BITS = 104;
/** Base-36 digits that hold NAME_HASH_BITS (36^21 > 2^104 > 36^20). */
export const NAME_HASH_LENGTH = 21;
/** Length of the "-<hash>" suffix that replaces the tail of a truncated part. */
const HASH_SUFFIX_LENGTH = NAME_HASH_LENGTH + 1;
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
 * ends in `-<nameHash of the original part>` (104 bits of SHA-256, 21 base-36 digits), so
 * distinct long names stay distinct even against a deliberate collision search (a 32-bit
 * hash here once let one member give two chatbots the same host), and the result is
 * deterministic. The API stores the result as ChatBot.hostLabel, unique per account.
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
  return label.length > 0 ? label : `${fallbackPrefix}-${nameHash(raw)}`;
}

function fitPart(label: string, max: number, raw: string): string {
  if (label.length <= max) return label;
  const head = label.slice(0, max - HASH_SUFFIX_LENGTH).replace(/-$/, "");
  return `${head}-${nameHash(raw)}`;
}

/**
 * The first 104 bits of SHA-256 over the UTF-8 text, as 21 lower-case base-36 digits
 * (valid in a DNS label).
 */
export function nameHash(text: string): string {
  const digest = bytesToHex(sha256(utf8ToBytes(text)));
  return BigInt(`0x${digest.slice(0, NAME_HASH_BITS / 4)}`)
    .toString(36)
    .padStart(NAME_HASH_LENGTH, "0");
}
