// Hostname mechanics shared by parseHost() (edge, lenient) and normalizeDomainName() (custom
// domains, strict). Internal: not re-exported from the package.

import punycode from "punycode/punycode.js";
import { fail, ok, type Result } from "./result.ts";

export const MAX_HOSTNAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;
/** Inputs longer than this are refused before any Unicode work, so hostile headers stay cheap. */
export const MAX_RAW_INPUT_LENGTH = 1024;

export type HostnameErrorCode =
  | "required"
  | "too_long"
  | "invalid_characters"
  | "label_empty"
  | "label_too_long"
  | "label_hyphen"
  | "punycode_invalid";

/** Unicode compatibility folding then lower case, the same order for every caller. */
export function foldHostname(input: string): string {
  // NFKC leaves printable ASCII as it is (every request to a platform host): lower case only.
  if (PRINTABLE_ASCII.test(input)) return input.toLowerCase();
  return input.normalize("NFKC").toLowerCase().normalize("NFKC");
}

const PRINTABLE_ASCII = /^[ -~]*$/;

/**
 * Folded name (no port) → ASCII hostname: IDN labels to punycode, one trailing dot dropped,
 * then the LDH rules checked per label. Never throws.
 */
export function toAsciiHostname(folded: string): Result<string, HostnameErrorCode> {
  let ascii: string;
  try {
    // punycode only rewrites non-ASCII labels and separators: a printable-ASCII name (every
    // request to a platform host) comes back unchanged, so it skips the conversion.
    ascii = PRINTABLE_ASCII.test(folded) ? folded : punycode.toASCII(folded);
  } catch {
    return fail("punycode_invalid", "The name cannot be converted to punycode.");
  }
  const name = ascii.endsWith(".") ? ascii.slice(0, -1) : ascii;
  if (name.length === 0) return fail("required", "The name is empty.");
  if (name.length > MAX_HOSTNAME_LENGTH) {
    return fail("too_long", `The name is longer than ${MAX_HOSTNAME_LENGTH} characters.`);
  }
  if (!/^[a-z0-9.-]+$/.test(name)) {
    return fail("invalid_characters", "Only letters, digits, hyphens and dots are allowed.");
  }
  for (const label of name.split(".")) {
    if (label.length === 0) return fail("label_empty", "The name contains an empty label ('..').");
    if (label.length > MAX_LABEL_LENGTH) {
      return fail("label_too_long", `A label is longer than ${MAX_LABEL_LENGTH} characters.`);
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      return fail("label_hyphen", "A label starts or ends with a hyphen.");
    }
  }
  return ok(name);
}

/** WHATWG URL parsers read a name whose last label is numeric (decimal or 0x hex) as IPv4. */
export function looksLikeIpv4(name: string): boolean {
  const last = name.slice(name.lastIndexOf(".") + 1);
  return /^(?:\d+|0x[0-9a-f]*)$/.test(last);
}

export function isCanonicalIpv4(name: string): boolean {
  const parts = name.split(".");
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIpv6(text: string): boolean {
  if (!/^[0-9a-f:.]+$/.test(text)) return false;
  let head = text;
  if (text.includes(".")) {
    const lastColon = text.lastIndexOf(":");
    if (lastColon < 0 || !isCanonicalIpv4(text.slice(lastColon + 1))) return false;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? groups.length < 8 : groups.length === 8;
}

/** A well-formed A-label: decodes, contains only letters/marks/digits/hyphens, re-encodes to itself. */
export function isRoundTrippingALabel(label: string): boolean {
  let unicode: string;
  try {
    unicode = punycode.decode(label.slice(4));
  } catch {
    return false;
  }
  if (!/\P{ASCII}/u.test(unicode) || !/^[\p{L}\p{M}\p{N}-]+$/u.test(unicode)) return false;
  if (foldHostname(unicode) !== unicode) return false;
  try {
    return punycode.toASCII(unicode) === label;
  } catch {
    return false;
  }
}
