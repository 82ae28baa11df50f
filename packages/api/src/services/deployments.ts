// chatbot.deploy / chatbot.undeploy. The `deployed` flag flips with a conditional update, so
// of concurrent calls exactly one wins, records the event and runs the Deployer; the others
// answer the current state.
import { dnsStatusFromSeed, dnsStatusToSeed, tlsStatusFromSeed, tlsStatusToSeed } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type { DeploymentStatus } from "../provisioning/types.ts";
import type { Principal } from "./auth.ts";
import type { ChatbotView } from "./chatbot-view.ts";
import { getChatbot } from "./chatbots.ts";
import { recordEvents, statusChange } from "./events.ts";
import { type HostWrite, hostLabelOf, writingHosts } from "./host-names.ts";
import {
  deploymentSubject,
  publishRoutes,
  type RouteRow,
  routeRowSelect,
  routeTargetsOfRow,
} from "./routing.ts";
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
        const { count } = await tx.chatBot.updateMany({
          where: { id, deployed: false },
          data: { deployed: true, hostLabel: hostWrite.hostLabel },
        });
        if (count === 1) {
          await recordEvents(tx, principal.accountId, [
            { type: "deployment.started", chatbotId: id, data: { by: principal.username } },
          ]);
        }
        return count === 1;
      }),
  );
  if (won) {
    const status = await services.provisioning.deployer.deploy(deploymentSubject(before, services.config));
    await applyDeploymentStatus(services, principal.accountId, id, status);
    await publishRoutes(services, [
      { chatbotId: id, previousTargets: routeTargetsOfRow(before, services.config) },
    ]);
  }
  return getChatbot(services, principal, id);
}

/** Stores the statuses the Deployer reached, unless the chatbot was undeployed meanwhile. */
async function applyDeploymentStatus(
  services: ApiServices,
  accountId: number,
  id: number,
  status: DeploymentStatus,
): Promise<void> {
  await services.db.$transaction(async (tx) => {
    const current = await tx.chatBot.findUnique({
      where: { id },
      select: { deployed: true, dnsVerificationStatus: true, tlsCertificateIssuanceStatus: true },
    });
    if (!current?.deployed) return;
    await tx.chatBot.update({
      where: { id },
      data: {
        dnsVerificationStatus: dnsStatusFromSeed(status.dnsVerificationStatus),
        tlsCertificateIssuanceStatus: tlsStatusFromSeed(status.tlsCertificateIssuanceStatus),
      },
    });
    await recordEvents(tx, accountId, [
      ...statusChange(
        "tls.status_changed",
        id,
        tlsStatusToSeed(current.tlsCertificateIssuanceStatus),
        status.tlsCertificateIssuanceStatus,
      ),
      ...statusChange(
        "dns.status_changed",
        id,
        dnsStatusToSeed(current.dnsVerificationStatus),
        status.dnsVerificationStatus,
      ),
    ]);
  });
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
      data: { deployed: false, dnsVerificationStatus: "NotVerified" },
    });
    if (count === 1 && current) {
      await recordEvents(tx, principal.accountId, [
        { type: "deployment.stopped", chatbotId: id, data: { by: principal.username } },
        ...statusChange(
          "dns.status_changed",
          id,
          dnsStatusToSeed(current.dnsVerificationStatus),
          "Not Verified",
        ),
      ]);
    }
    return count === 1;
  });
  if (stopped) {
    // Routes first: the chatbot must stop answering at once, whatever the Deployer does next.
    await publishRoutes(services, [
      { chatbotId: id, previousTargets: routeTargetsOfRow(before, services.config) },
    ]);
    await services.provisioning.deployer.undeploy(deploymentSubject(before, services.config));
  }
  return getChatbot(services, principal, id);
}
