// The edge's Host header parser. Lenient about what could be a real name (single labels,
// reserved TLDs, undecodable xn-- labels: they simply never match a route) and strict about
// anything that could confuse routing. Never throws.

import {
  foldHostname,
  type HostnameErrorCode,
  isCanonicalIpv4,
  isIpv6,
  looksLikeIpv4,
  MAX_RAW_INPUT_LENGTH,
  toAsciiHostname,
} from "./hostname.ts";
import { fail, type ValidationError } from "./result.ts";

export type HostErrorCode =
  | HostnameErrorCode
  | "whitespace"
  | "userinfo"
  | "path"
  | "port_invalid"
  | "ip_literal";

export interface HostParseOptions {
  /** Accept canonical dotted-quad IPv4 and bracketed IPv6 hosts (local development only). */
  allowIpLiterals?: boolean;
}

export type ParsedHost =
  | { readonly ok: true; readonly host: string; readonly port: number | null }
  | { readonly ok: false; readonly error: ValidationError<HostErrorCode> };

export function parseHost(hostHeader: string | null | undefined, options: HostParseOptions = {}): ParsedHost {
  if (typeof hostHeader !== "string" || hostHeader.length === 0)
    return fail("required", "The host is empty.");
  if (hostHeader.length > MAX_RAW_INPUT_LENGTH) return fail("too_long", "The host is too long.");
  const folded = foldHostname(hostHeader);
  if (/\s/.test(folded)) return fail("whitespace", "The host contains whitespace.");
  if (folded.includes("@")) return fail("userinfo", "The host must not contain user information ('@').");
  if (/[/\\?#]/.test(folded)) return fail("path", "The host must not contain a path, query or fragment.");

  if (folded.startsWith("[")) return parseBracketedIpv6(folded, options);
  const colon = folded.indexOf(":");
  if (colon !== folded.lastIndexOf(":")) {
    return /^[0-9a-f:.]+$/.test(folded)
      ? fail("ip_literal", "IPv6 hosts must be enclosed in brackets.")
      : fail("invalid_characters", "The host contains more than one ':'.");
  }
  const port = colon < 0 ? null : parsePort(folded.slice(colon + 1));
  if (port === undefined) return fail("port_invalid", "The port must be a number from 1 to 65535.");

  const name = toAsciiHostname(colon < 0 ? folded : folded.slice(0, colon));
  if (!name.ok) return name;
  if (looksLikeIpv4(name.value)) {
    if (!options.allowIpLiterals) return fail("ip_literal", "IP addresses are not accepted as hosts.");
    if (!isCanonicalIpv4(name.value)) return fail("ip_literal", "IPv4 hosts must be written as a.b.c.d.");
  }
  return { ok: true, host: name.value, port };
}

function parseBracketedIpv6(folded: string, options: HostParseOptions): ParsedHost {
  const match = /^\[([^\]]*)\](?::(.*))?$/.exec(folded);
  const address = match?.[1];
  if (address === undefined || !isIpv6(address)) return fail("invalid_characters", "Malformed IPv6 host.");
  if (!options.allowIpLiterals) return fail("ip_literal", "IP addresses are not accepted as hosts.");
  const port = match?.[2] === undefined ? null : parsePort(match[2]);
  if (port === undefined) return fail("port_invalid", "The port must be a number from 1 to 65535.");
  return { ok: true, host: `[${address}]`, port };
}

/** undefined = invalid. */
function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : undefined;
}
