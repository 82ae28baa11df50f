// Re-verification of deployed default hosts, like the custom domains' (domains/verify.ts): a
// sweep every minute re-checks each Verified host whose next check is due, on the backoff
// schedule of @botgate/core. A host whose DNS moved away is marked (diagnostics, `dns.failing`);
// after the grace period DNS goes `Failed` and with it the routing; a match clears the mark, and
// brings a host failed this way back. Transient resolver answers are retried, never failures.
import { type ApiServices, applyDeploymentChange, dnsRecordOfRow, recordEvents } from "@botgate/api";
import { graceExpired, nextCheckAt, transientRetryMs } from "@botgate/core";
import type { DnsCheck } from "@botgate/provisioning";

export const HOST_SWEEP_QUEUE = "chatbot-host-sweep";

/** At most this many hosts per sweep; the next minute's sweep takes the rest. */
export const HOST_SWEEP_BATCH = 200;

/** How long a claimed check is held before another sweep may take it (a killed worker). */
const CLAIM_MS = 10 * 60_000;

export type HostReverifyServices = Pick<
  ApiServices,
  "db" | "routes" | "config" | "logger" | "jobs" | "provisioning"
> & {
  /** DOMAIN_REVERIFY_GRACE_HOURS: how long a host whose DNS moved away keeps routing. */
  reverifyGraceHours: number;
  now?: () => Date;
};

export async function sweepDueHosts(services: HostReverifyServices): Promise<number> {
  const now = services.now?.() ?? new Date();
  const due = await services.db.chatBot.findMany({
    where: {
      deployed: true,
      tlsCertificateIssuanceStatus: "Issued",
      subdomainId: { not: null },
      // Verified hosts, and those this re-check failed (a recovery brings them back).
      OR: [{ dnsVerificationStatus: "Verified" }, { deployFailingSince: { not: null } }],
      AND: [{ OR: [{ deployNextCheckAt: null }, { deployNextCheckAt: { lte: now } }] }],
    },
    select: { id: true, deployNextCheckAt: true },
    orderBy: { id: "asc" },
    take: HOST_SWEEP_BATCH,
  });
  let checked = 0;
  for (const host of due) {
    // Claims the check: a concurrent sweep finds it taken; this check sets the next one.
    const { count } = await services.db.chatBot.updateMany({
      where: { id: host.id, deployNextCheckAt: host.deployNextCheckAt },
      data: { deployNextCheckAt: new Date(now.getTime() + CLAIM_MS) },
    });
    if (count === 0) continue;
    await recheckHost(services, host.id, now);
    checked++;
  }
  return checked;
}

export async function recheckHost(
  services: HostReverifyServices,
  chatbotId: number,
  now: Date,
): Promise<void> {
  const { db } = services;
  const row = await db.chatBot.findUnique({
    where: { id: chatbotId },
    select: {
      accountId: true,
      deployed: true,
      deploymentGeneration: true,
      dnsVerificationStatus: true,
      deployCheckStreak: true,
      deployFailingSince: true,
      subdomain: true,
    },
  });
  if (!row?.deployed || !row.subdomain) return;
  const expected = dnsRecordOfRow(row.subdomain);
  const check = await services.provisioning.checker.check({
    name: expected.name,
    type: expected.type,
    values: expected.values,
  });
  const lastCheck = JSON.parse(JSON.stringify(check)) as { [key: string]: string };
  const generation = row.deploymentGeneration;
  const stillThis = { id: chatbotId, deployed: true, deploymentGeneration: generation };
  const graceEnd = (since: Date) => new Date(since.getTime() + services.reverifyGraceHours * 3_600_000);
  const capped = (at: Date, since: Date) => (at < graceEnd(since) ? at : graceEnd(since));

  if (check.outcome === "transient") {
    // Says nothing about the host: retry soon, the streak untouched.
    await db.chatBot.updateMany({
      where: stillThis,
      data: {
        deployLastCheck: lastCheck,
        deployNextCheckAt: new Date(now.getTime() + transientRetryMs(0)),
      },
    });
    return;
  }

  if (check.outcome === "match") {
    if (row.deployFailingSince === null) {
      const streak = row.deployCheckStreak + 1;
      await db.chatBot.updateMany({
        where: stillThis,
        data: {
          deployLastCheck: lastCheck,
          deployCheckStreak: streak,
          deployNextCheckAt: nextCheckAt(now, streak),
        },
      });
      return;
    }
    await db.$transaction(async (tx) => {
      const { count } = await tx.chatBot.updateMany({
        where: stillThis,
        data: { deployFailingSince: null, deployCheckStreak: 0 },
      });
      if (count === 1)
        await recordEvents(tx, row.accountId, [
          { type: "dns.recovered", chatbotId, data: { host: expected.name, answered: check.answered } },
        ]);
    });
    // Back to Verified (and routing) when the grace period had already taken it away.
    await applyDeploymentChange(services, chatbotId, generation, {
      ...(row.dnsVerificationStatus === "Verified" ? {} : { dns: "Verified" as const }),
      lastCheck,
      nextCheckAt: nextCheckAt(now, 0),
    });
    return;
  }

  const reason = reasonOf(check);
  if (row.deployFailingSince === null) {
    await db.$transaction(async (tx) => {
      const { count } = await tx.chatBot.updateMany({
        where: stillThis,
        data: {
          deployLastCheck: lastCheck,
          deployFailingSince: now,
          deployCheckStreak: 0,
          deployNextCheckAt: capped(nextCheckAt(now, 0), now),
        },
      });
      if (count === 1)
        await recordEvents(tx, row.accountId, [
          {
            type: "dns.failing",
            chatbotId,
            data: { host: expected.name, reason, graceEndsAt: graceEnd(now).toISOString() },
          },
        ]);
    });
    return;
  }
  if (
    row.dnsVerificationStatus === "Verified" &&
    graceExpired(row.deployFailingSince, now, services.reverifyGraceHours)
  ) {
    await applyDeploymentChange(services, chatbotId, generation, {
      dns: "Failed",
      lastCheck,
      nextCheckAt: nextCheckAt(now, 0),
      reason: `${reason} The grace period ended, so this chatbot no longer answers on its default host.`,
    });
    return;
  }
  const streak = row.deployCheckStreak + 1;
  await db.chatBot.updateMany({
    where: stillThis,
    data: {
      deployLastCheck: lastCheck,
      deployCheckStreak: streak,
      deployNextCheckAt:
        row.dnsVerificationStatus === "Verified"
          ? capped(nextCheckAt(now, streak), row.deployFailingSince)
          : nextCheckAt(now, streak),
    },
  });
}

function reasonOf(check: DnsCheck): string {
  return (
    check.reason ??
    `DNS no longer answers what the default host needs (${check.answered.join(", ") || "nothing"}).`
  );
}
