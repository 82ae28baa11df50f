// Suspending and reactivating an account (operators, through the CLI). A suspended account's
// chatbots answer like unknown ones everywhere: the routing table holds no record for them
// (routedRecord in routing.ts), the origin does not load them, and its admin tokens and API
// keys are refused. Both directions write through to the routing cache after the commit:
// suspension tombstones every target of every chatbot, reactivation republishes them.
import { BotgateError } from "@botgate/core";
import { recordEvents } from "./events.ts";
import {
  publishRoutes,
  type RoutingServices,
  routeRowSelect,
  routeTargetsOfRow,
  touchChatbots,
} from "./routing.ts";

export interface AccountStatus {
  accountNumber: string;
  isActive: boolean;
  /** Chatbots whose routes were tombstoned (suspend) or republished (reactivate). */
  chatbots: number;
}

export function suspendAccount(services: RoutingServices, accountNumber: string): Promise<AccountStatus> {
  return setAccountActive(services, accountNumber, false);
}

export function reactivateAccount(services: RoutingServices, accountNumber: string): Promise<AccountStatus> {
  return setAccountActive(services, accountNumber, true);
}

async function setAccountActive(
  services: RoutingServices,
  accountNumber: string,
  isActive: boolean,
): Promise<AccountStatus> {
  const changes = await services.db.$transaction(async (tx) => {
    const account = await tx.account.findUnique({ where: { accountNumber }, select: { id: true } });
    if (account === null) throw new BotgateError("NOT_FOUND", `no account ${accountNumber}`);
    await tx.account.update({ where: { id: account.id }, data: { isActive } });
    // The targets each chatbot answers on while its account is active: suspension tombstones them.
    const rows = await tx.chatBot.findMany({ where: { accountId: account.id }, select: routeRowSelect });
    // A new version, so no reader keeps a record from before the change over the new state.
    await touchChatbots(tx, { accountId: account.id });
    await recordEvents(tx, account.id, [{ type: isActive ? "account.reactivated" : "account.suspended" }]);
    return rows.map((row) => ({
      chatbotId: row.id,
      previousTargets: routeTargetsOfRow(row, services.config),
    }));
  });
  await publishRoutes(services, changes);
  return { accountNumber, isActive, chatbots: changes.length };
}
