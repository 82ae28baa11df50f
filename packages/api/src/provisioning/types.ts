// The custom-domain steps' shapes (domain-seams.ts). Deployments run as jobs on
// @botgate/provisioning's interfaces (packages/jobs).

/** A claimed custom domain, as provisioning sees it. */
export interface DomainSubject {
  domainName: string;
  verificationToken: string;
  /** Set once provisioned (AWS: the Route53 hosted zone). */
  hostedZoneId: string | null;
}

export interface ProvisionedDomain {
  /** Where the customer must delegate the domain to. */
  nameServers: string[];
  hostedZoneId: string | null;
}

export type VerificationResult = { verified: true } | { verified: false; reason: string };
