// `domain-provision`: creates the claim's hosted zone (CallerReference from the row: a retry
// answers the same zone), publishes the ownership record in it, records both, and queues the
// first check. The token was chosen with the row, so every retry publishes the same one.

import { DOMAIN_JOBS, domainSingletonKey, ownershipRecord } from "@botgate/api";
import { BotgateError, nextCheckAt } from "@botgate/core";
import type { DnsRecord } from "@botgate/provisioning";
import { zoneCallerReference } from "./names.ts";
import { recordDnsRecords } from "./records.ts";
import { clock, type DomainJobServices } from "./services.ts";

export const OWNERSHIP_TTL = 300;

export async function provisionDomain(services: DomainJobServices, domainId: number): Promise<void> {
  const { db, provisioning } = services;
  const row = await db.chatBotCustomDomain.findUnique({ where: { id: domainId } });
  if (!row) return;
  const now = clock(services);
  let zone: Awaited<ReturnType<typeof provisioning.dns.ensureZone>>;
  try {
    zone = await provisioning.dns.ensureZone(row.domainName, zoneCallerReference(row, services.config));
  } catch (error) {
    // The local provider holds one zone per name: another claim's zone blocks this one until
    // that claim lapses or is deleted. Not a job failure; the sweep asks again later.
    if (!(error instanceof BotgateError && error.code === "CONFLICT")) throw error;
    const streak = row.checkStreak + 1;
    await db.chatBotCustomDomain.update({
      where: { id: domainId },
      data: {
        failureReason:
          `Another claim of ${row.domainName} holds its DNS zone on this (${provisioning.kind}) ` +
          "provider; this claim gets its zone once that one is verified elsewhere, deleted or lapses.",
        checkStreak: streak,
        nextCheckAt: nextCheckAt(now, streak),
      },
    });
    return;
  }
  const txt = ownershipRecord(row.domainName, row.verificationToken);
  const ownership: DnsRecord = { name: txt.name, type: "TXT", values: [txt.value], ttl: OWNERSHIP_TTL };
  await provisioning.dns.upsertRecords(zone.id, [ownership]);
  const stored = await db.$transaction(async (tx) => {
    const { count } = await tx.chatBotCustomDomain.updateMany({
      where: { id: domainId },
      data: {
        awsHostedZoneId: zone.id,
        nameServers: zone.nameServers,
        provisionedBy: provisioning.kind,
      },
    });
    if (count === 0) return false;
    await recordDnsRecords(tx, domainId, zone.id, [ownership]);
    // Only the move out of Provisioning clears the reason (a blocked zone's): a repeated
    // provision job that runs after the first check must not erase what that check found.
    const moved = await tx.chatBotCustomDomain.updateMany({
      where: { id: domainId, verificationStatus: "Provisioning" },
      data: { verificationStatus: "AwaitingDns", nextCheckAt: now, checkStreak: 0, failureReason: null },
    });
    if (moved.count > 0) {
      await tx.chatBotEvent.create({
        data: {
          accountId: row.accountId,
          customDomainId: domainId,
          type: "domain.status_changed",
          data: {
            domainName: row.domainName,
            from: "Provisioning",
            to: "AwaitingDns",
            provisioning: provisioning.kind,
          },
        },
      });
      await services.jobs.enqueue(tx, {
        name: DOMAIN_JOBS.verify,
        data: { domainId },
        singletonKey: domainSingletonKey(domainId),
      });
    }
    return true;
  });
  // Deleted while the zone was being created: take the zone back down, nothing may dangle.
  if (!stored) await provisioning.dns.deleteZone(zone.id);
}
