// How the deployment job moves a chatbot's statuses: one transaction that changes the row only
// if the job's deployment is still the current one (same generation, still deployed), records
// an event per status change, and enqueues the follow-up job, so a state and the job that
// continues from it commit together. Routes are published after every status change.
import type { DnsVerificationStatus, TlsCertificateIssuanceStatus } from "@botgate/core";
import {
  dnsStatusFromSeed,
  dnsStatusToSeed,
  type Prisma,
  tlsStatusFromSeed,
  tlsStatusToSeed,
} from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { type DeploymentJob, enqueueDeploymentJob } from "./deployment-jobs.ts";
import { type NewEvent, recordEvents, statusChange } from "./events.ts";
import { publishRoutes } from "./routing.ts";

export interface DeploymentChange {
  dns?: DnsVerificationStatus;
  tls?: TlsCertificateIssuanceStatus;
  certificateFailureReason?: string | null;
  /** The last DNS check (a DnsCheck), for diagnostics. */
  lastCheck?: Prisma.InputJsonObject;
  nextCheckAt?: Date | null;
  /** Why, in words a customer can act on (stored on the events). */
  reason?: string;
  /** The job that continues from this state, enqueued in the same transaction. */
  next?: { job: DeploymentJob; startAfterSeconds: number };
}

/** False when the deployment is no longer current (undeployed, redeployed or deleted): stop. */
export async function applyDeploymentChange(
  services: Pick<ApiServices, "db" | "routes" | "config" | "logger" | "jobs">,
  chatbotId: number,
  generation: number,
  change: DeploymentChange,
): Promise<boolean> {
  const changed = await services.db.$transaction(async (tx) => {
    const row = await tx.chatBot.findUnique({
      where: { id: chatbotId },
      select: { accountId: true, dnsVerificationStatus: true, tlsCertificateIssuanceStatus: true },
    });
    if (!row) return null;
    const { count } = await tx.chatBot.updateMany({
      where: { id: chatbotId, deployed: true, deploymentGeneration: generation },
      data: {
        ...(change.dns === undefined ? {} : { dnsVerificationStatus: dnsStatusFromSeed(change.dns) }),
        ...(change.tls === undefined ? {} : { tlsCertificateIssuanceStatus: tlsStatusFromSeed(change.tls) }),
        ...(change.certificateFailureReason === undefined
          ? {}
          : { certificateFailureReason: change.certificateFailureReason }),
        ...(change.lastCheck === undefined ? {} : { deployLastCheck: change.lastCheck }),
        ...(change.nextCheckAt === undefined ? {} : { deployNextCheckAt: change.nextCheckAt }),
      },
    });
    if (count !== 1) return null;
    const events: NewEvent[] = [
      ...(change.tls === undefined
        ? []
        : statusChange(
            "tls.status_changed",
            chatbotId,
            tlsStatusToSeed(row.tlsCertificateIssuanceStatus),
            change.tls,
          )),
      ...(change.dns === undefined
        ? []
        : statusChange(
            "dns.status_changed",
            chatbotId,
            dnsStatusToSeed(row.dnsVerificationStatus),
            change.dns,
          )),
    ].map((event) =>
      change.reason === undefined ? event : { ...event, data: { ...event.data, reason: change.reason } },
    );
    await recordEvents(tx, row.accountId, events);
    if (change.next) await enqueueDeploymentJob(services, tx, change.next.job, change.next.startAfterSeconds);
    return events.length > 0;
  });
  if (changed === null) return false;
  // The routing record carries the statuses (and `ready`): the edge sees each change.
  if (changed) await publishRoutes(services, [{ chatbotId, previousTargets: [] }]);
  return true;
}
