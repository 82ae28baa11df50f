// The custom-domain jobs packages/api enqueues and packages/jobs runs (src/domains): one list
// of names and payloads for both sides.

export const DOMAIN_JOBS = {
  /** Creates the hosted zone and the ownership record of a new claim. */
  provision: "domain-provision",
  /** Checks delegation and the ownership token, then issues the certificate and verifies. */
  verify: "domain-verify",
  /** Removes a deleted domain's zone (with every record in it) and its certificate. */
  remove: "domain-remove",
  /** Every minute: enqueues a verify job for each domain whose next check is due. */
  sweep: "domain-check-sweep",
  /** Every few minutes: deletes unverified claims whose time is up. */
  cleanup: "domain-claim-cleanup",
} as const;

export interface DomainJobData {
  domainId: number;
  [key: string]: number | string | null;
}

export interface DomainRemovalData {
  domainName: string;
  hostedZoneId: string | null;
  certificateArn: string | null;
  [key: string]: string | null;
}

/** One chain of jobs per domain at a time. */
export function domainSingletonKey(domainId: number): string {
  return `domain:${domainId}`;
}
