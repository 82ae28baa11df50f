// Seams for the work that touches the outside world (DNS, certificates, hosted zones). The
// local implementations finish at once; the AWS ones (Route53, ACM, durable jobs) arrive with
// a later issue and slot in behind the same interfaces.
import type { DnsVerificationStatus, TlsCertificateIssuanceStatus } from "@botgate/core";

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

export interface DomainProvisioner {
  /** Prepares a freshly claimed domain (AWS: creates its hosted zone). */
  provision(domain: DomainSubject): Promise<ProvisionedDomain>;
  /** Releases what provision() created, once the domain is deleted. */
  release(domain: DomainSubject): Promise<void>;
}

export type VerificationResult = { verified: true } | { verified: false; reason: string };

export interface DomainVerifier {
  /** Checks now, through DNS, that the customer controls the domain. Never throws for DNS answers. */
  verify(domain: DomainSubject): Promise<VerificationResult>;
}

/** A chatbot's hosts, as deployment sees them. */
export interface DeploymentSubject {
  chatbotId: number;
  defaultHost: string;
  customHost: string | null;
}

export interface DeploymentStatus {
  dnsVerificationStatus: DnsVerificationStatus;
  tlsCertificateIssuanceStatus: TlsCertificateIssuanceStatus;
}

export interface Deployer {
  /**
   * Starts serving a chatbot whose `deployed` flag was just set, and answers the statuses
   * reached now. A deployer working in the background answers in-progress statuses
   * (Verifying, Requested) and reports the rest from its jobs.
   */
  deploy(chatbot: DeploymentSubject): Promise<DeploymentStatus>;
  /** Stops serving a chatbot whose `deployed` flag was just cleared (its routes are already gone). */
  undeploy(chatbot: DeploymentSubject): Promise<void>;
  /** Removes every DNS record and certificate of a chatbot about to be deleted. */
  remove(chatbot: DeploymentSubject): Promise<void>;
}

export interface Provisioning {
  domains: DomainProvisioner;
  verifier: DomainVerifier;
  deployer: Deployer;
}
