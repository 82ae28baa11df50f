// The synchronous custom-domain steps (domain.create / verify / delete) on the provisioning
// interfaces of @botgate/provisioning, until the custom-domain jobs replace them.
import type { Provisioning } from "@botgate/provisioning";
import { ownershipRecord } from "./ownership-record.ts";
import type { DomainSubject, ProvisionedDomain, VerificationResult } from "./types.ts";

/** Creates the domain's hosted zone (idempotent per claim through its caller reference). */
export async function provisionDomain(
  provisioning: Provisioning,
  domain: DomainSubject,
): Promise<ProvisionedDomain> {
  const zone = await provisioning.dns.ensureZone(
    domain.domainName,
    `domain-${domain.domainName}-${domain.verificationToken}`,
  );
  return { nameServers: zone.nameServers, hostedZoneId: zone.id };
}

export async function releaseDomain(provisioning: Provisioning, domain: DomainSubject): Promise<void> {
  if (domain.hostedZoneId !== null) await provisioning.dns.deleteZone(domain.hostedZoneId);
}

/** Checks now, through DNS, that the ownership TXT record carries the domain's token. */
export async function verifyOwnership(
  provisioning: Provisioning,
  domain: DomainSubject,
): Promise<VerificationResult> {
  const expected = ownershipRecord(domain.domainName, domain.verificationToken);
  const check = await provisioning.checker.check({
    name: expected.name,
    type: "TXT",
    values: [expected.value],
  });
  if (check.outcome === "match") return { verified: true };
  return { verified: false, reason: check.reason ?? `The TXT record at ${expected.name} was not found.` };
}
