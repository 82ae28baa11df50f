// Which endpoint URLs a webhook may be sent to. An endpoint is chosen by a customer, so it
// must never reach the platform's own internals: https only (outside development), no
// credentials in the URL, no loopback/private/link-local/reserved addresses. Address ranges
// are checked with node:net's BlockList, not hand-written bit arithmetic.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

export const MAX_URL_LENGTH = 2_048;

const BLOCKED_V4 = [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, cloud metadata services
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const;

const BLOCKED_V6 = [
  ["::", 128],
  ["::1", 128],
  ["::ffff:0:0", 96], // IPv4-mapped: would smuggle any IPv4 address
  ["64:ff9b::", 96], // NAT64
  ["100::", 64],
  ["2001:db8::", 32],
  ["2002::", 16], // 6to4 embeds an IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const;

// Two lists: BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules as well.
const blockedV4 = new BlockList();
for (const [network, prefix] of BLOCKED_V4) blockedV4.addSubnet(network, prefix, "ipv4");
const blockedV6 = new BlockList();
for (const [network, prefix] of BLOCKED_V6) blockedV6.addSubnet(network, prefix, "ipv6");

/** Whether an IP address is loopback, private, link-local or otherwise not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return family === 4 ? blockedV4.check(address, "ipv4") : blockedV6.check(address, "ipv6");
}

export interface DestinationPolicy {
  /**
   * A development setup: http and loopback/private addresses are allowed (a local receiver).
   * Everywhere else both are refused.
   */
  development: boolean;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Checks an endpoint URL as written (no DNS): scheme, credentials, literal addresses, length. */
export function checkEndpointUrl(input: string, policy: DestinationPolicy): UrlCheck {
  if (input.length > MAX_URL_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "must be an absolute URL, e.g. https://example.com/webhooks" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must use https" };
  if (url.protocol === "http:" && !policy.development) return { ok: false, reason: "must use https" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "must not contain credentials; verify the signature instead" };
  }
  if (url.hash !== "") return { ok: false, reason: "must not contain a fragment (#...)" };
  if (!policy.development) {
    const host = hostOf(url);
    if (isPrivateAddress(host))
      return { ok: false, reason: "must not point at a private or loopback address" };
    if (host === "localhost" || host.endsWith(".localhost") || !host.includes(".")) {
      return { ok: false, reason: "must name a public host" };
    }
  }
  return { ok: true, url };
}

/** The URL's host without IPv6 brackets or a trailing dot. */
function hostOf(url: URL): string {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return host.replace(/\.$/, "").toLowerCase();
}

/**
 * Resolves the endpoint's host and answers why it may not be sent to (a private address), or
 * null. Checked before every attempt outside development. It narrows but does not close DNS
 * rebinding: fetch resolves the name again, and a hostile resolver can answer differently.
 */
export async function privateDestinationReason(url: URL): Promise<string | null> {
  const host = hostOf(url);
  if (isIP(host) !== 0) return isPrivateAddress(host) ? `${host} is a private address` : null;
  const addresses = await lookup(host, { all: true, verbatim: true });
  const found = addresses.find((entry) => isPrivateAddress(entry.address));
  return found ? `${host} resolves to a private address (${found.address})` : null;
}
