// The DnsChecker: asks real name servers (node:dns Resolver, a fresh one per check so nothing
// is cached between checks) and turns what they answer into an outcome and a reason a customer
// can act on. c-ares tells the cases apart by error code: ENOTFOUND is NXDOMAIN, ENODATA an
// empty NOERROR answer, ESERVFAIL / EREFUSED / ETIMEOUT the transient ones.
import { Resolver } from "node:dns/promises";
import { normalizeName } from "./names.ts";
import type { DnsCheck, DnsChecker, DnsExpectation, DnsRecordType } from "./types.ts";

export interface ResolverDnsCheckerOptions {
  /** `ip[:port]` entries for Resolver.setServers(); empty: the system's resolvers. */
  nameServers: readonly string[];
  /** Per-try timeout. */
  timeoutMs?: number;
  /** Attempts per name server before giving up. */
  tries?: number;
  now?: () => Date;
}

const TRANSIENT: Record<string, string> = {
  ESERVFAIL: "SERVFAIL",
  EREFUSED: "REFUSED",
  ETIMEOUT: "TIMEOUT",
};

export class ResolverDnsChecker implements DnsChecker {
  readonly #nameServers: readonly string[];
  readonly #timeoutMs: number;
  readonly #tries: number;
  readonly #now: () => Date;

  constructor(options: ResolverDnsCheckerOptions) {
    this.#nameServers = options.nameServers;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#tries = options.tries ?? 2;
    this.#now = options.now ?? (() => new Date());
  }

  async check(expected: DnsExpectation): Promise<DnsCheck> {
    const resolver = new Resolver({ timeout: this.#timeoutMs, tries: this.#tries });
    let servers: string[];
    try {
      if (this.#nameServers.length > 0) resolver.setServers([...this.#nameServers]);
      servers = resolver.getServers();
    } catch {
      servers = [...this.#nameServers];
    }
    const name = normalizeName(expected.name);
    const base = { expected, resolver: servers, checkedAt: this.#now().toISOString() };
    let answered: string[];
    try {
      answered = await query(resolver, name, expected.type);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (code === "ENOTFOUND" || code === "ENONAME") {
        return {
          ...base,
          answered: [],
          responseCode: "NXDOMAIN",
          outcome: "mismatch",
          reason: nxdomain(expected),
        };
      }
      if (code === "ENODATA") {
        return {
          ...base,
          answered: [],
          responseCode: "NOERROR",
          outcome: "mismatch",
          reason: wrong(expected, []),
        };
      }
      const responseCode = TRANSIENT[code] ?? "NETWORK_ERROR";
      return {
        ...base,
        answered: [],
        responseCode,
        outcome: "transient",
        reason: transient(expected, responseCode, servers, code),
      };
    } finally {
      resolver.cancel();
    }
    const have = new Set(answered.map(comparable));
    const matches = expected.values.every((v) => have.has(comparable(v)));
    return {
      ...base,
      answered,
      responseCode: "NOERROR",
      outcome: matches ? "match" : "mismatch",
      reason: matches ? null : wrong(expected, answered),
    };
  }
}

async function query(resolver: Resolver, name: string, type: DnsRecordType): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      return resolver.resolve6(name);
    case "CNAME":
      return (await resolver.resolveCname(name)).map(normalizeName);
    case "NS":
      return (await resolver.resolveNs(name)).map(normalizeName);
    case "TXT":
      // A TXT record may be split into several strings; they form one value.
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
  }
}

/** Case-insensitive and trailing-dot-insensitive. */
function comparable(value: string): string {
  return normalizeName(value);
}

function list(values: readonly string[], quote = false): string {
  return values.map((v) => (quote ? `"${v}"` : v)).join(", ");
}

function instruction(expected: DnsExpectation): string {
  const name = normalizeName(expected.name);
  const values = expected.values.map(normalizeValue(expected.type));
  switch (expected.type) {
    case "NS":
      return `Set the name servers of ${name} at your registrar to ${list(values)}.`;
    case "TXT":
      return `Add a TXT record at ${name} with the value ${list(values, true)}.`;
    case "CNAME":
      return `Set a CNAME record at ${name} pointing to ${list(values)}.`;
    default:
      return `Set the ${expected.type} record of ${name} to ${list(values)}.`;
  }
}

function normalizeValue(type: DnsRecordType): (value: string) => string {
  return type === "NS" || type === "CNAME" ? normalizeName : (v) => v;
}

function nxdomain(expected: DnsExpectation): string {
  const name = normalizeName(expected.name);
  return `${name} does not exist in DNS (NXDOMAIN). ${instruction(expected)}`;
}

function wrong(expected: DnsExpectation, answered: readonly string[]): string {
  const name = normalizeName(expected.name);
  const have = new Set(answered.map(comparable));
  const missing = expected.values.filter((v) => !have.has(comparable(v))).map(normalizeValue(expected.type));
  const quote = expected.type === "TXT";
  const says =
    answered.length === 0
      ? `DNS has no ${expected.type} record for ${name}`
      : `DNS answers ${list(answered, quote)}`;
  switch (expected.type) {
    case "NS":
      return `${list(missing)} ${missing.length === 1 ? "is" : "are"} not among the name servers of ${name}: ${says}. ${instruction(expected)}`;
    case "TXT":
      return `The TXT record at ${name} does not contain ${list(missing, true)}: ${says}. ${instruction(expected)}`;
    default:
      return `${name} does not point to ${list(missing)}: ${says}. ${instruction(expected)}`;
  }
}

function transient(
  expected: DnsExpectation,
  responseCode: string,
  servers: readonly string[],
  code: string,
): string {
  const name = normalizeName(expected.name);
  const asked = list(servers);
  const what =
    responseCode === "TIMEOUT"
      ? `DNS did not answer in time (asked ${asked})`
      : responseCode === "SERVFAIL"
        ? `the name servers failed to answer (SERVFAIL from ${asked})`
        : responseCode === "REFUSED"
          ? `the name servers refused to answer (REFUSED from ${asked})`
          : `the DNS lookup failed (${code || "network error"}, asked ${asked})`;
  return `Could not check ${name}: ${what}. This is usually temporary; it will be checked again.`;
}
