// chatbot.deploy / chatbot.undeploy. The `deployed` flag flips with a conditional update, so
// of concurrent calls exactly one wins, records the events and enqueues the deployment job in
// the same transaction; the call returns at once with the in-progress statuses and the job
// (packages/jobs) moves them on.
import { dnsStatusToSeed } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type { Principal } from "./auth.ts";
import type { ChatbotView } from "./chatbot-view.ts";
import { getChatbot } from "./chatbots.ts";
import { NEXT_DEPLOYMENT_GENERATION } from "./deployment-generation.ts";
import { enqueueDeploymentJob } from "./deployment-jobs.ts";
import { recordEvents, statusChange } from "./events.ts";
import { type HostWrite, hostLabelOf, writingHosts } from "./host-names.ts";
import { publishRoutes, type RouteRow, routeRowSelect, routeTargetsOfRow } from "./routing.ts";
import { chatbotScope, notFound } from "./scope.ts";

async function findRouteRow(services: ApiServices, principal: Principal, id: number): Promise<RouteRow> {
  const row = await services.db.chatBot.findFirst({
    where: { id, ...chatbotScope(principal) },
    select: routeRowSelect,
  });
  if (!row) throw notFound("chatbot", id);
  return row;
}

export async function deployChatbot(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<ChatbotView> {
  const before = await findRouteRow(services, principal, id);
  // Deploying (re)claims the chatbot's host label: a row the start-up backfill left without
  // one, because another chatbot holds it, gets CONFLICT here instead of a shared host.
  const hostWrite: HostWrite = {
    hostLabel: hostLabelOf(before.name, {
      username: before.userProfile.user.username,
      isAccountAdmin: before.userProfile.isAccountAdmin,
    }),
    accountNumber: before.account.accountNumber,
    customDomainId: before.customDomainId,
    fields: { default: "name", custom: "customDomainId" },
  };
  const won = await writingHosts(
    services,
    () => hostWrite,
    () =>
      services.db.$transaction(async (tx) => {
        const current = await tx.chatBot.findUnique({
          where: { id },
          select: { dnsVerificationStatus: true, tlsCertificateIssuanceStatus: true },
        });
        const failedTls = current?.tlsCertificateIssuanceStatus === "Failed";
        const { count } = await tx.chatBot.updateMany({
          where: { id, deployed: false },
          data: {
            deployed: true,
            hostLabel: hostWrite.hostLabel,
            dnsVerificationStatus: "Verifying",
            // A failed certificate is requested anew; an issued one is kept and re-checked.
            ...(failedTls ? { tlsCertificateIssuanceStatus: "NoCertificate" } : {}),
            certificateFailureReason: null,
            provisioning: services.provisioning.kind,
            ...NEXT_DEPLOYMENT_GENERATION,
          },
        });
        if (count !== 1 || !current) return false;
        const { deploymentGeneration } = await tx.chatBot.findUniqueOrThrow({
          where: { id },
          select: { deploymentGeneration: true },
        });
        await recordEvents(tx, principal.accountId, [
          { type: "deployment.started", chatbotId: id, data: { by: principal.username } },
          ...statusChange(
            "dns.status_changed",
            id,
            dnsStatusToSeed(current.dnsVerificationStatus),
            "Verifying",
          ),
          ...(failedTls ? statusChange("tls.status_changed", id, "Failed", "No Certificate") : []),
        ]);
        await enqueueDeploymentJob(services, tx, {
          action: "deploy",
          chatbotId: id,
          generation: deploymentGeneration,
          attempt: 0,
          mismatches: 0,
        });
        return true;
      }),
  );
  if (won) {
    // The host answers "not ready yet" from now on, and the job publishes every later change.
    await publishRoutes(services, [
      { chatbotId: id, previousTargets: routeTargetsOfRow(before, services.config) },
    ]);
  }
  return getChatbot(services, principal, id);
}

export async function undeployChatbot(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<ChatbotView> {
  const before = await findRouteRow(services, principal, id);
  const stopped = await services.db.$transaction(async (tx) => {
    const current = await tx.chatBot.findUnique({ where: { id }, select: { dnsVerificationStatus: true } });
    const { count } = await tx.chatBot.updateMany({
      where: { id, deployed: true },
      data: {
        deployed: false,
        dnsVerificationStatus: "NotVerified",
        deployNextCheckAt: null,
        ...NEXT_DEPLOYMENT_GENERATION,
      },
    });
    if (count !== 1 || !current) return false;
    const { deploymentGeneration } = await tx.chatBot.findUniqueOrThrow({
      where: { id },
      select: { deploymentGeneration: true },
    });
    await recordEvents(tx, principal.accountId, [
      { type: "deployment.stopped", chatbotId: id, data: { by: principal.username } },
      ...statusChange(
        "dns.status_changed",
        id,
        dnsStatusToSeed(current.dnsVerificationStatus),
        "Not Verified",
      ),
    ]);
    await enqueueDeploymentJob(services, tx, {
      action: "undeploy",
      chatbotId: id,
      generation: deploymentGeneration,
    });
    return true;
  });
  if (stopped) {
    // Routes at once: the chatbot stops answering now; its DNS record goes with the job.
    await publishRoutes(services, [
      { chatbotId: id, previousTargets: routeTargetsOfRow(before, services.config) },
    ]);
  }
  return getChatbot(services, principal, id);
}
