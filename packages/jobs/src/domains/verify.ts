// `domain-verify`: one short step of a domain's verification, re-scheduled rather than waiting.
// AwaitingDns: check delegation (the domain's NS contain the zone's name servers) and the
// ownership TXT token through the DnsChecker; both right → request the certificate for the
// domain and its wildcard. IssuingCertificate: write its validation records into the zone and
// poll until ISSUED, then verify (first verified claim wins). Verified / Failing: the periodic
// re-check; DNS that moved away marks the domain Failing, and routing goes once the grace
// period is over. Transient answers (timeouts, SERVFAIL) are retried, never failures.

import {
  DOMAIN_JOBS,
  domainSingletonKey,
  isVerifiedElsewhere,
  markDomainVerified,
  ownershipRecord,
  unverifyDomain,
} from "@botgate/api";
import { checkIntervalMs, graceExpired, nextCheckAt, transientRetryMs } from "@botgate/core";
import type { ChatBotCustomDomain as DomainRow, Prisma } from "@botgate/db";
import type { DnsCheck, DnsCheckOutcome } from "@botgate/provisioning";
import { certificateIdempotencyToken } from "./names.ts";
import { recordDnsRecords } from "./records.ts";
import { clock, type DomainJobServices } from "./services.ts";

/** How soon the certificate is polled again: 2 s, doubling to 60 s. */
export function certificatePollSeconds(attempt: number): number {
  return Math.min(60, 2 * 2 ** Math.max(0, Math.min(attempt, 5)));
}

export async function verifyDomainStep(
  services: DomainJobServices,
  domainId: number,
  attempt = 0,
): Promise<void> {
  const row = await services.db.chatBotCustomDomain.findUnique({ where: { id: domainId } });
  if (!row) return;
  const now = clock(services);
  // A lapsed claim is the cleanup job's: nothing to check.
  if (!row.isVerified && row.claimExpiresAt !== null && row.claimExpiresAt <= now) return;
  switch (row.verificationStatus) {
    case "Provisioning":
      // The zone is not there yet (or was blocked): provisioning again is idempotent.
      return enqueue(services, DOMAIN_JOBS.provision, domainId);
    case "IssuingCertificate":
      return pollCertificate(services, row, attempt, now);
    case "Failed":
      // Waits for domain.verify to start over.
      return;
    default:
      return checkDns(services, row, now);
  }
}

async function enqueue(
  services: DomainJobServices,
  name: string,
  domainId: number,
  extra: { attempt?: number; startAfter?: number } = {},
): Promise<void> {
  await services.db.$transaction((tx) =>
    services.jobs.enqueue(tx, {
      name,
      data: { domainId, ...(extra.attempt === undefined ? {} : { attempt: extra.attempt }) },
      singletonKey: domainSingletonKey(domainId),
      ...(extra.startAfter === undefined ? {} : { startAfter: extra.startAfter }),
    }),
  );
}

/** The two checks a domain must pass: delegation to its zone and the ownership token. */
async function runChecks(services: DomainJobServices, row: DomainRow): Promise<DnsCheck[]> {
  const txt = ownershipRecord(row.domainName, row.verificationToken);
  return Promise.all([
    services.provisioning.checker.check({ name: row.domainName, type: "NS", values: row.nameServers }),
    services.provisioning.checker.check({ name: txt.name, type: "TXT", values: [txt.value] }),
  ]);
}

function outcomeOf(checks: readonly DnsCheck[]): DnsCheckOutcome {
  if (checks.some((c) => c.outcome === "mismatch")) return "mismatch";
  if (checks.some((c) => c.outcome === "transient")) return "transient";
  return "match";
}

function reasonOf(checks: readonly DnsCheck[]): string {
  return checks
    .filter((c) => c.outcome === "mismatch")
    .map((c) => c.reason ?? `${c.expected.name} ${c.expected.type} does not answer what was expected.`)
    .join(" ");
}

const asJson = (checks: readonly DnsCheck[]) => checks as unknown as Prisma.InputJsonArray;

async function event(
  tx: Prisma.TransactionClient,
  row: DomainRow,
  type: string,
  data: Prisma.InputJsonObject,
): Promise<void> {
  await tx.chatBotEvent.create({
    data: {
      accountId: row.accountId,
      customDomainId: row.id,
      type,
      data: { domainName: row.domainName, ...data },
    },
  });
}

async function checkDns(services: DomainJobServices, row: DomainRow, now: Date): Promise<void> {
  const checks = await runChecks(services, row);
  const outcome = outcomeOf(checks);
  const seen = { lastChecks: asJson(checks), lastCheckedAt: now };
  const { db } = services;
  const streak = row.checkStreak + 1;

  if (outcome === "transient") {
    // Says nothing about the domain: ask again soon, change nothing else.
    await db.chatBotCustomDomain.updateMany({
      where: { id: row.id, verificationStatus: row.verificationStatus },
      data: {
        ...seen,
        checkStreak: streak,
        nextCheckAt: new Date(now.getTime() + transientRetryMs(row.checkStreak)),
      },
    });
    return;
  }

  if (row.verificationStatus === "AwaitingDns") {
    if (outcome === "mismatch") {
      const reason = reasonOf(checks);
      await db.$transaction(async (tx) => {
        await tx.chatBotCustomDomain.update({
          where: { id: row.id },
          data: {
            ...seen,
            failureReason: reason,
            checkStreak: streak,
            nextCheckAt: nextCheckAt(now, streak),
          },
        });
        // One event per new reason, not one per check.
        if (reason !== row.failureReason) {
          await event(tx, row, "domain.verification_failed", {
            from: "AwaitingDns",
            to: "AwaitingDns",
            reason,
          });
        }
      });
      return;
    }
    if (await isVerifiedElsewhere(services, row.domainName, row.id)) {
      await db.chatBotCustomDomain.update({
        where: { id: row.id },
        data: {
          ...seen,
          failureReason: `${row.domainName} is verified by another account: the first verified claim wins.`,
          checkStreak: 1_000,
          nextCheckAt: nextCheckAt(now, 1_000),
        },
      });
      return;
    }
    return requestCertificate(services, row, seen, now);
  }

  // Verified or Failing: the periodic re-check.
  const graceEnd = (since: Date) => new Date(since.getTime() + services.reverifyGraceHours * 3_600_000);
  const capped = (at: Date, since: Date) => (at < graceEnd(since) ? at : graceEnd(since));

  if (outcome === "match") {
    if (row.verificationStatus === "Failing") {
      await db.$transaction(async (tx) => {
        await tx.chatBotCustomDomain.update({
          where: { id: row.id },
          data: {
            ...seen,
            verificationStatus: "Verified",
            failingSince: null,
            failureReason: null,
            checkStreak: 0,
            nextCheckAt: nextCheckAt(now, 0),
          },
        });
        await event(tx, row, "domain.recovered", { from: "Failing", to: "Verified" });
      });
    } else {
      await db.chatBotCustomDomain.update({
        where: { id: row.id },
        data: { ...seen, checkStreak: streak, nextCheckAt: nextCheckAt(now, streak) },
      });
    }
    return;
  }

  const reason = reasonOf(checks);
  if (row.verificationStatus === "Verified") {
    await db.$transaction(async (tx) => {
      await tx.chatBotCustomDomain.update({
        where: { id: row.id },
        data: {
          ...seen,
          verificationStatus: "Failing",
          failingSince: now,
          failureReason: reason,
          checkStreak: 0,
          nextCheckAt: capped(nextCheckAt(now, 0), now),
        },
      });
      await event(tx, row, "domain.failing", {
        from: "Verified",
        to: "Failing",
        reason,
        graceEndsAt: graceEnd(now).toISOString(),
      });
    });
    return;
  }
  // Failing, still wrong.
  const since = row.failingSince ?? now;
  if (graceExpired(since, now, services.reverifyGraceHours)) {
    await db.chatBotCustomDomain.update({ where: { id: row.id }, data: seen });
    await unverifyDomain(
      services,
      row.id,
      `${reason} The grace period ended, so this domain's chatbots no longer answer on it.`,
      now,
    );
    return;
  }
  await db.chatBotCustomDomain.update({
    where: { id: row.id },
    data: {
      ...seen,
      failureReason: reason,
      checkStreak: streak,
      nextCheckAt: capped(nextCheckAt(now, streak), since),
    },
  });
}

/** DNS is right: the certificate for the domain and its wildcard (one request across retries). */
async function requestCertificate(
  services: DomainJobServices,
  row: DomainRow,
  seen: { lastChecks: Prisma.InputJsonArray; lastCheckedAt: Date },
  now: Date,
): Promise<void> {
  const { certificates } = services.provisioning;
  let arn = row.certificateArn;
  if (arn !== null) {
    const current = await certificates.describe(arn);
    if (current === null || !["PENDING_VALIDATION", "ISSUED"].includes(current.status)) arn = null;
  }
  arn ??= await certificates.request({
    domainName: row.domainName,
    subjectAlternativeNames: [`*.${row.domainName}`],
    idempotencyToken: certificateIdempotencyToken(row),
  });
  await services.db.$transaction(async (tx) => {
    await tx.chatBotCustomDomain.update({
      where: { id: row.id },
      data: {
        ...seen,
        verificationStatus: "IssuingCertificate",
        certificateArn: arn,
        certificateStatus: "PENDING_VALIDATION",
        failureReason: null,
        checkStreak: 0,
        // The sweep's fallback if the poll chain were ever lost.
        nextCheckAt: nextCheckAt(now, 5),
      },
    });
    await event(tx, row, "domain.status_changed", {
      from: "AwaitingDns",
      to: "IssuingCertificate",
      provisioning: services.provisioning.kind,
    });
    await services.jobs.enqueue(tx, {
      name: DOMAIN_JOBS.verify,
      data: { domainId: row.id, attempt: 0 },
      singletonKey: domainSingletonKey(row.id),
    });
  });
}

async function pollCertificate(
  services: DomainJobServices,
  row: DomainRow,
  attempt: number,
  now: Date,
): Promise<void> {
  const { certificates, dns } = services.provisioning;
  const state = row.certificateArn === null ? null : await certificates.describe(row.certificateArn);
  if (state === null) {
    // Gone at the provider (or never stored): back to DNS checks, which request it again.
    await services.db.chatBotCustomDomain.update({
      where: { id: row.id },
      data: {
        verificationStatus: "AwaitingDns",
        certificateArn: null,
        certificateStatus: null,
        nextCheckAt: now,
      },
    });
    return enqueue(services, DOMAIN_JOBS.verify, row.id);
  }
  if (state.validationRecords.length > 0 && row.awsHostedZoneId !== null) {
    const zoneId = row.awsHostedZoneId;
    await dns.upsertRecords(zoneId, state.validationRecords);
    await services.db.$transaction((tx) => recordDnsRecords(tx, row.id, zoneId, state.validationRecords));
  }
  if (state.status === "ISSUED") {
    await markDomainVerified(services, row.id, now);
    return;
  }
  if (state.status === "PENDING_VALIDATION") {
    await services.db.chatBotCustomDomain.update({
      where: { id: row.id },
      data: { certificateStatus: state.status, nextCheckAt: new Date(now.getTime() + checkIntervalMs(5)) },
    });
    return enqueue(services, DOMAIN_JOBS.verify, row.id, {
      attempt: attempt + 1,
      startAfter: certificatePollSeconds(attempt),
    });
  }
  const reason =
    state.failureReason ??
    `The certificate authority answered ${state.status} for ${row.domainName}; call domain.verify to try again.`;
  await services.db.$transaction(async (tx) => {
    await tx.chatBotCustomDomain.update({
      where: { id: row.id },
      data: {
        verificationStatus: "Failed",
        certificateStatus: state.status,
        failureReason: reason,
        nextCheckAt: null,
      },
    });
    await event(tx, row, "domain.status_changed", { from: "IssuingCertificate", to: "Failed", reason });
  });
}
