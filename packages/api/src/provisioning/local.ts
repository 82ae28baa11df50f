// The embedded default (PROVISIONING=local): no AWS. Domains delegate to a configured list of
// name servers, ownership is checked through a configured DNS resolver, and deployments are
// DNS Verified with their certificate Issued at once.
import type { PlatformConfig } from "@botgate/core";
import { DnsTxtVerifier } from "./dns-txt-verifier.ts";
import type {
  Deployer,
  DeploymentStatus,
  DomainProvisioner,
  ProvisionedDomain,
  Provisioning,
} from "./types.ts";

export interface LocalProvisioningOptions {
  config: PlatformConfig;
  /** Name servers shown to customers; default `ns1.<root>`, `ns2.<root>`. */
  nameServers?: readonly string[] | undefined;
  /** `ip[:port]` DNS servers ownership checks ask; empty or absent: the system's resolvers. */
  dnsResolvers?: readonly string[] | undefined;
  dnsTimeoutMs?: number;
}

export function createLocalProvisioning(options: LocalProvisioningOptions): Provisioning {
  const nameServers = options.nameServers?.length
    ? [...options.nameServers]
    : [`ns1.${options.config.rootDomain}`, `ns2.${options.config.rootDomain}`];
  return {
    domains: new LocalDomainProvisioner(nameServers),
    verifier: new DnsTxtVerifier({
      resolvers: options.dnsResolvers ?? [],
      ...(options.dnsTimeoutMs === undefined ? {} : { timeoutMs: options.dnsTimeoutMs }),
    }),
    deployer: new LocalDeployer(),
  };
}

class LocalDomainProvisioner implements DomainProvisioner {
  readonly #nameServers: string[];

  constructor(nameServers: string[]) {
    this.#nameServers = nameServers;
  }

  async provision(): Promise<ProvisionedDomain> {
    return { nameServers: [...this.#nameServers], hostedZoneId: null };
  }

  async release(): Promise<void> {}
}

class LocalDeployer implements Deployer {
  async deploy(): Promise<DeploymentStatus> {
    return { dnsVerificationStatus: "Verified", tlsCertificateIssuanceStatus: "Issued" };
  }

  async undeploy(): Promise<void> {}

  async remove(): Promise<void> {}
}
