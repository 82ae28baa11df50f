// The periodic custom-domain jobs: the sweep (every minute) hands each domain whose next check
// is due to a verify job, and the cleanup deletes lapsed claims (their removal queued with
// them); `domain-remove` takes a deleted domain's zone and certificate down at the provider.
import {
  cleanupExpiredDomainClaims,
  DOMAIN_JOBS,
  type DomainRemovalData,
  domainSingletonKey,
} from "@botgate/api";
import { clock, type DomainJobServices } from "./services.ts";

/** At most this many domains per sweep; the next minute's sweep takes the rest. */
export const SWEEP_BATCH = 200;

export async function sweepDueDomains(services: DomainJobServices): Promise<number> {
  const now = clock(services);
  const due = await services.db.chatBotCustomDomain.findMany({
    where: { nextCheckAt: { lte: now } },
    select: { id: true, nextCheckAt: true },
    orderBy: { nextCheckAt: "asc" },
    take: SWEEP_BATCH,
  });
  let queued = 0;
  for (const domain of due) {
    await services.db.$transaction(async (tx) => {
      // Claims the due check: a concurrent sweep finds it taken; the verify job sets the next.
      const { count } = await tx.chatBotCustomDomain.updateMany({
        where: { id: domain.id, nextCheckAt: domain.nextCheckAt },
        data: { nextCheckAt: null },
      });
      if (count === 0) return;
      await services.jobs.enqueue(tx, {
        name: DOMAIN_JOBS.verify,
        data: { domainId: domain.id },
        singletonKey: domainSingletonKey(domain.id),
      });
      queued++;
    });
  }
  return queued;
}

export function cleanupClaims(services: DomainJobServices): Promise<number> {
  return cleanupExpiredDomainClaims(services, clock(services));
}

/** Idempotent: an absent certificate or zone is not an error. */
export async function removeDomainResources(
  services: DomainJobServices,
  data: DomainRemovalData,
): Promise<void> {
  const { dns, certificates } = services.provisioning;
  if (data.certificateArn !== null) await certificates.delete(data.certificateArn);
  if (data.hostedZoneId !== null) await dns.deleteZone(data.hostedZoneId);
}
