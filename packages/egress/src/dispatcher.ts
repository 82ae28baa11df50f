// The HTTP dispatcher for customer-chosen URLs: an undici Agent whose connector refuses
// private addresses at connect time, on the address actually connected to. A check before
// the request cannot close DNS rebinding (the name is resolved again when connecting, and a
// hostile resolver may answer a private address the second time); this one can, because the
// socket connects only to an address the lookup below has checked.
import { lookup as systemLookup } from "node:dns";
import { isIP, type LookupFunction } from "node:net";
import { Agent, buildConnector, type Dispatcher, fetch as undiciFetch } from "undici";
import { isPrivateAddress } from "./address.ts";
import type { EgressPolicy } from "./policy.ts";

export const EGRESS_REFUSED = "EGRESS_REFUSED";

/** A connection refused by the egress policy: the host is, or resolved to, a private address. */
export class EgressRefusedError extends Error {
  readonly code = EGRESS_REFUSED;
  readonly host: string;
  readonly address: string;

  constructor(host: string, address: string) {
    super(
      host === address
        ? `${address} is a private address`
        : `${host} resolves to a private address (${address})`,
    );
    this.name = "EgressRefusedError";
    this.host = host;
    this.address = address;
  }
}

/** The EgressRefusedError somewhere in an error's cause chain (fetch and clients wrap it), or null. */
export function egressRefusalOf(error: unknown): EgressRefusedError | null {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current != null; depth++) {
    if (current instanceof EgressRefusedError) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return null;
}

/**
 * A lookup that answers only when every address of the name is public: refusing when any is
 * private keeps Happy Eyeballs (autoSelectFamily) from trying the private one.
 */
function guardedLookup(resolve: LookupFunction): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, found) => {
      if (error) return callback(error, "");
      const addresses = typeof found === "string" ? [{ address: found, family: isIP(found) }] : found;
      const refused = addresses.find((entry) => isPrivateAddress(entry.address));
      if (refused !== undefined) {
        return callback(new EgressRefusedError(hostname, refused.address), "");
      }
      const first = addresses[0];
      if (first === undefined) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), "");
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}

/** A connector that checks literal addresses itself (node:net skips `lookup` for them) and names through the guarded lookup. */
function guardedConnector(lookup: LookupFunction): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(lookup) });
  return (options, callback) => {
    const host = options.hostname.startsWith("[") ? options.hostname.slice(1, -1) : options.hostname;
    if (isIP(host) !== 0 && isPrivateAddress(host)) {
      callback(new EgressRefusedError(host, host), null);
      return;
    }
    connect(options, callback);
  };
}

/** One Agent per setup kind for the default resolver: connections are pooled across calls. */
const shared = new Map<boolean, Agent>();

/**
 * The dispatcher for requests to customer-chosen URLs under this policy. Outside development
 * it refuses to connect to private addresses (EgressRefusedError as the fetch error's cause);
 * in development it connects anywhere, through the same resolver.
 */
export function egressDispatcher(policy: EgressPolicy): Dispatcher {
  const make = () =>
    policy.development
      ? new Agent(policy.lookup === undefined ? {} : { connect: { lookup: policy.lookup } })
      : new Agent({ connect: guardedConnector(policy.lookup ?? (systemLookup as LookupFunction)) });
  if (policy.lookup !== undefined) return make();
  let agent = shared.get(policy.development);
  if (agent === undefined) {
    agent = make();
    shared.set(policy.development, agent);
  }
  return agent;
}

/**
 * A fetch through egressDispatcher(policy): undici's own fetch, which is the fetch that
 * honours an undici 7 dispatcher (Node's built-in one bundles another undici).
 */
export function egressFetch(policy: EgressPolicy): typeof fetch {
  const dispatcher = egressDispatcher(policy);
  const guarded = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher });
  // undici's Request/Response are the WHATWG ones the global fetch type describes.
  return guarded as unknown as typeof fetch;
}
