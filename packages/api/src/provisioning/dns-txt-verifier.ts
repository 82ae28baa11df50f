// Ownership check by DNS: the ownership TXT record must carry the domain's token. Resolves
// through node:dns against configurable name servers (the customer's real DNS in production,
// a loopback server in tests).
import { Resolver } from "node:dns/promises";
import { ownershipRecord } from "./ownership-record.ts";
import type { DomainSubject, DomainVerifier, VerificationResult } from "./types.ts";

export interface DnsTxtVerifierOptions {
  /** `ip[:port]` entries for Resolver.setServers(); empty: the system's resolvers. */
  resolvers: readonly string[];
  timeoutMs?: number;
}

/** node:dns error codes that mean "the name or the record does not exist". */
const MISSING_CODES = new Set(["ENOTFOUND", "ENODATA", "ENONAME"]);

export class DnsTxtVerifier implements DomainVerifier {
  readonly #resolvers: readonly string[];
  readonly #timeoutMs: number;

  constructor({ resolvers, timeoutMs = 3_000 }: DnsTxtVerifierOptions) {
    this.#resolvers = resolvers;
    this.#timeoutMs = timeoutMs;
  }

  async verify(domain: DomainSubject): Promise<VerificationResult> {
    const expected = ownershipRecord(domain.domainName, domain.verificationToken);
    // A resolver per check: cancel() and server lists never leak between checks.
    const resolver = new Resolver({ timeout: this.#timeoutMs, tries: 2 });
    if (this.#resolvers.length > 0) resolver.setServers([...this.#resolvers]);
    let records: string[][];
    try {
      records = await resolver.resolveTxt(expected.name);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (MISSING_CODES.has(code)) return failed(`No TXT record found at ${expected.name}.`);
      return failed(`The DNS lookup of ${expected.name} failed (${code || "unknown error"}).`);
    }
    // A TXT record may be split into several strings; they form one value.
    const values = records.map((chunks) => chunks.join(""));
    if (values.includes(expected.value)) return { verified: true };
    return failed(`The TXT record at ${expected.name} does not contain "${expected.value}".`);
  }
}

function failed(reason: string): VerificationResult {
  return { verified: false, reason };
}
