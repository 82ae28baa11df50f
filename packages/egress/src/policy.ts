// Where outbound requests to customer-chosen URLs (webhook endpoints, LLM provider base URLs)
// may go, and the checks on a URL as written. The URL checks give an early, clear reason; the
// real guard is the dispatcher (dispatcher.ts), which checks the address actually connected to.
import { type LookupAddress, lookup as systemLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { isPrivateAddress } from "./address.ts";

export interface EgressPolicy {
  /**
   * A development setup (ENVIRONMENT=local on .localhost domains, or BOTGATE_DEV): http and
   * loopback/private addresses are allowed, for local receivers and the fake provider in
   * tests. Everywhere else both are refused.
   */
  development: boolean;
  /**
   * How host names are resolved at connect time (node:net's `lookup` signature); default
   * node:dns lookup, the system resolver. Tests point it at a DNS server on loopback.
   */
  lookup?: LookupFunction;
}

/** Production: https only, public addresses only, the system resolver. */
export const STRICT_EGRESS: EgressPolicy = Object.freeze({ development: false });

/** The URL's host without IPv6 brackets or a trailing dot, lower case. */
export function hostOf(url: URL): string {
  const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return host.replace(/\.$/, "").toLowerCase();
}

/**
 * Why a request may not go to this URL as written (no DNS), as a phrase completing "The URL
 * …", or null: the scheme (https; http too in development) and, outside development, literal
 * private addresses and names that are local by definition (localhost, single labels).
 */
export function egressUrlProblem(url: URL, policy: Pick<EgressPolicy, "development">): string | null {
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must use https";
  if (url.protocol === "http:" && !policy.development) return "must use https";
  if (policy.development) return null;
  const host = hostOf(url);
  if (isPrivateAddress(host)) return "must not point at a private or loopback address";
  if (isIP(host) === 0 && (host === "localhost" || host.endsWith(".localhost") || !host.includes("."))) {
    return "must name a public host";
  }
  return null;
}

/**
 * Resolves the URL's host and answers why it may not be sent to (a private address), or null.
 * An early check with a readable reason only: the name is resolved again when connecting, and
 * a hostile resolver can answer differently then; the dispatcher checks that answer.
 */
export async function privateDestinationReason(
  url: URL,
  lookup: LookupFunction = systemLookup as LookupFunction,
): Promise<string | null> {
  const host = hostOf(url);
  if (isIP(host) !== 0) return isPrivateAddress(host) ? `${host} is a private address` : null;
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    lookup(host, { all: true, verbatim: true }, (error, found) => {
      if (error) reject(error);
      else resolve(typeof found === "string" ? [{ address: found, family: isIP(found) }] : found);
    }),
  );
  const found = addresses.find((entry) => isPrivateAddress(entry.address));
  return found ? `${host} resolves to a private address (${found.address})` : null;
}
