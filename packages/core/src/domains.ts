// Custom domain names as customers type them → the one normalized form stored and routed
// on (lower case, no trailing dot, punycode). Stricter than parseHost(): this is the gate
// that decides which names may ever become routes.

import {
  foldHostname,
  type HostnameErrorCode,
  isIpv6,
  isRoundTrippingALabel,
  looksLikeIpv4,
  MAX_LABEL_LENGTH,
  MAX_RAW_INPUT_LENGTH,
  toAsciiHostname,
} from "./hostname.ts";
import { fail, ok, type Result } from "./result.ts";

/**
 * A chatbot's custom host is `<rfc1034 name (≤ 63)>.<domain>`, and that must still fit in
 * 253 characters, so custom domains are capped at 253 - 63 - 1.
 */
export const MAX_CUSTOM_DOMAIN_LENGTH = 189;

/**
 * Special-use TLDs that never resolve publicly: RFC 6761 (test, localhost, invalid, example),
 * RFC 6762 (local), RFC 7686 (onion), RFC 9476 (alt), ICANN's private-use `internal`, and
 * `arpa` (reverse DNS, home.arpa). Second-level names such as example.com stay allowed.
 */
export const RESERVED_TLDS: readonly string[] = [
  "alt",
  "arpa",
  "example",
  "internal",
  "invalid",
  "local",
  "localhost",
  "onion",
  "test",
];

export type DomainErrorCode =
  | HostnameErrorCode
  | "ip_literal"
  | "label_reserved_hyphens"
  | "single_label"
  | "numeric_tld"
  | "reserved_name"
  | "platform_domain";

export interface DomainNameOptions {
  /** The platform's own domains (root, API, platform): they and their subdomains are refused. */
  reservedSuffixes: readonly string[];
}

export function normalizeDomainName(
  input: unknown,
  options: DomainNameOptions,
): Result<string, DomainErrorCode> {
  if (typeof input !== "string") return fail("required", "A domain name is required.");
  const trimmed = input.trim();
  if (trimmed.length === 0) return fail("required", "A domain name is required.");
  if (trimmed.length > MAX_RAW_INPUT_LENGTH) return fail("too_long", "The domain name is too long.");
  const folded = foldHostname(trimmed);
  if (folded.includes(":") || folded.startsWith("[")) {
    return isIpv6(folded.replace(/^\[(.*)\]$/, "$1"))
      ? fail("ip_literal", "An IP address is not a domain name.")
      : fail("invalid_characters", "A domain name must not contain a scheme or a port.");
  }
  if (/[\s/\\?#@]|\p{Cs}/u.test(folded)) {
    return fail("invalid_characters", "A domain name contains only letters, digits, hyphens and dots.");
  }

  const ascii = toAsciiHostname(folded);
  if (!ascii.ok) return ascii;
  const name = ascii.value;
  const labels = name.split(".");
  for (const label of labels) {
    if (label.startsWith("xn--")) {
      if (!isRoundTrippingALabel(label))
        return fail("punycode_invalid", `"${label}" is not a valid IDN label.`);
    } else if (label.slice(2, 4) === "--") {
      return fail("label_reserved_hyphens", `"${label}": '--' in the third and fourth position is reserved.`);
    }
  }
  if (name.length > MAX_CUSTOM_DOMAIN_LENGTH) {
    return fail(
      "too_long",
      `A custom domain may have at most ${MAX_CUSTOM_DOMAIN_LENGTH} characters ` +
        `(room for a ${MAX_LABEL_LENGTH}-character chatbot name in front of it).`,
    );
  }
  if (labels.length < 2)
    return fail("single_label", "A domain name needs at least two labels (e.g. example.com).");
  if (looksLikeIpv4(name)) {
    return labels.every((l) => /^\d+$/.test(l))
      ? fail("ip_literal", "An IP address is not a domain name.")
      : fail("numeric_tld", "The top-level domain must not be numeric.");
  }
  const tld = labels.at(-1) ?? "";
  if (RESERVED_TLDS.includes(tld)) return fail("reserved_name", `".${tld}" is a reserved top-level domain.`);
  for (const suffix of options.reservedSuffixes) {
    const reserved = suffix.toLowerCase().replace(/\.$/, "");
    if (name === reserved || name.endsWith(`.${reserved}`)) {
      return fail(
        "platform_domain",
        `${name} belongs to the platform and cannot be used as a custom domain.`,
      );
    }
  }
  return ok(name);
}
