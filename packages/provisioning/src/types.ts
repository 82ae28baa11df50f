// The seams between the deployment jobs (packages/jobs) and the outside world: a DNS host
// (Route53, or the embedded authoritative server), a certificate authority (ACM, or the local
// CA) and a resolver that checks what the world actually sees. Every write is idempotent, so a
// job that crashed at any step can simply run again.

export type DnsRecordType = "A" | "AAAA" | "CNAME" | "TXT" | "NS";

/** One record set. `name` is fully qualified, lower case, without the trailing dot. */
export interface DnsRecord {
  name: string;
  type: DnsRecordType;
  /** TXT values unquoted; CNAME/NS targets without the trailing dot. */
  values: string[];
  ttl: number;
}

export interface HostedZone {
  id: string;
  /** The zone's apex, normalized like DnsRecord.name. */
  name: string;
  /** Where the zone's owner must delegate to. */
  nameServers: string[];
}

/** Where a status came from: the UI and API say "local" for the embedded providers. */
export type ProviderKind = "aws" | "local";

export interface DnsProvider {
  readonly kind: ProviderKind;
  /** The platform's zone, holding every default host `<label>.<account>.<api domain>`. */
  platformZone(): Promise<HostedZone>;
  /**
   * Creates the hosted zone of a custom domain, or answers the one already created with this
   * callerReference (Route53's CreateHostedZone idempotency), so a retry never makes two.
   */
  ensureZone(domainName: string, callerReference: string): Promise<HostedZone>;
  /** Deletes a zone with every record the platform put in it. An absent zone is not an error. */
  deleteZone(zoneId: string): Promise<void>;
  /** UPSERTs record sets (creates or replaces each name+type). */
  upsertRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void>;
  /** Deletes record sets; absent ones are not an error. */
  deleteRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void>;
  /**
   * What the provider holds in a zone now (used to prove nothing is left behind), without the
   * zone's own apex SOA and NS records, which come and go with the zone.
   */
  listRecords(zoneId: string): Promise<DnsRecord[]>;
  listZones(): Promise<HostedZone[]>;
}

/** ACM's certificate statuses (DescribeCertificate `Certificate.Status`). */
export type CertificateStatus =
  | "PENDING_VALIDATION"
  | "ISSUED"
  | "INACTIVE"
  | "EXPIRED"
  | "VALIDATION_TIMED_OUT"
  | "REVOKED"
  | "FAILED";

export interface CertificateRequest {
  domainName: string;
  subjectAlternativeNames: string[];
  /**
   * ACM's IdempotencyToken (at most 32 word characters): the same token within an hour answers
   * the same certificate. Derived from the chatbot (or domain) and host by the caller.
   */
  idempotencyToken: string;
}

export interface CertificateState {
  arn: string;
  status: CertificateStatus;
  domainName: string;
  subjectAlternativeNames: string[];
  /** The CNAME records DNS validation needs; may be empty until the CA has produced them. */
  validationRecords: DnsRecord[];
  /** In words a customer can act on, when status is a failure. */
  failureReason: string | null;
}

export interface CertificateProvider {
  readonly kind: ProviderKind;
  /** Requests a DNS-validated certificate and answers its ARN. */
  request(input: CertificateRequest): Promise<string>;
  /** The certificate now, or null when it does not exist (any more). */
  describe(arn: string): Promise<CertificateState | null>;
  /** Deletes a certificate; an absent one is not an error. */
  delete(arn: string): Promise<void>;
  /** Every certificate the provider holds for this platform. */
  list(): Promise<string[]>;
}

/** What a check expects DNS to answer for one name. */
export interface DnsExpectation {
  name: string;
  type: DnsRecordType;
  /** The check matches when the answer contains every value (compared case-insensitively). */
  values: string[];
}

/**
 * `match`: DNS answers what was expected. `mismatch`: DNS answers, and it is wrong or the name
 * does not exist (a real failure). `transient`: timeout, SERVFAIL, REFUSED or a network error:
 * retried later, never a failure.
 */
export type DnsCheckOutcome = "match" | "mismatch" | "transient";

/** One check, as diagnostics show it: what was expected and what DNS actually answered. */
export interface DnsCheck {
  expected: DnsExpectation;
  /** The values DNS answered for that name and type (empty on NXDOMAIN or an error). */
  answered: string[];
  /** NOERROR, NXDOMAIN, SERVFAIL, REFUSED, TIMEOUT or NETWORK_ERROR. */
  responseCode: string;
  /** The name servers asked, as host:port. */
  resolver: string[];
  /** ISO 8601. */
  checkedAt: string;
  outcome: DnsCheckOutcome;
  /** Null on match; otherwise what went wrong and what to do, in a customer's words. */
  reason: string | null;
}

export interface DnsChecker {
  /** Never throws for what DNS answers (or fails to answer): that is the outcome. */
  check(expected: DnsExpectation): Promise<DnsCheck>;
}

export interface Provisioning {
  readonly kind: ProviderKind;
  dns: DnsProvider;
  certificates: CertificateProvider;
  checker: DnsChecker;
}
