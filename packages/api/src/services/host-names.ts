// The hosts a chatbot answers at, stored so the database can keep them unique: ChatBot.hostLabel
// (rfc1034CompliantName, unique per account: the default host) and ChatBot.customHost
// (`<hostLabel>.<domain>` while the domain is verified, unique platform-wide, derived by a
// trigger). Writers set hostLabel through these functions and get CONFLICT naming the host
// when a unique index refuses it; the index, not a prior check, decides concurrent writers.
import { BotgateError, baseDefaultHost, rfc1034CompliantName } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { uniqueViolationIndex } from "../errors.ts";
import { recordEvents } from "./events.ts";
import { publishRoutes, type RoutingChange, routeRowSelect, routeTargetsOfRow } from "./routing.ts";

const HOST_LABEL_INDEX = "ChatBot_accountId_hostLabel_key";
export const CUSTOM_HOST_INDEX = "ChatBot_customHost_key";

export interface HostOwner {
  username: string;
  isAccountAdmin: boolean;
}

/** What a chatbot's host label is derived from. */
export function hostLabelOf(name: string, owner: HostOwner): string {
  return rfc1034CompliantName({ name, owner });
}

/** What a write that sets a chatbot's host columns is about, to name the clash if one occurs. */
export interface HostWrite {
  hostLabel: string;
  accountNumber: string;
  customDomainId: number | null;
  /** The input field the caller changed to cause a clash of each kind. */
  fields: { default: string; custom: string };
}

/**
 * Runs a write that sets hostLabel or attaches a domain (a whole transaction: after a unique
 * violation it is aborted) and turns the violations of the host indexes into CONFLICT with
 * the clashing host in the message, in details.host and on the field that caused it.
 */
export async function writingHosts<T>(
  services: Pick<ApiServices, "db" | "config">,
  /** Read after a failure: the run may only learn the label inside its transaction. */
  describe: () => HostWrite | null,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const index = uniqueViolationIndex(error);
    const write = describe();
    if (write === null) throw error;
    if (index === HOST_LABEL_INDEX) {
      const host = `${write.hostLabel}${baseDefaultHost(write, services.config)}`;
      throw hostConflict(host, write.fields.default);
    }
    if (index === CUSTOM_HOST_INDEX) {
      const domain =
        write.customDomainId === null
          ? null
          : await services.db.chatBotCustomDomain.findUnique({
              where: { id: write.customDomainId },
              select: { domainName: true },
            });
      throw hostConflict(
        domain ? `${write.hostLabel}.${domain.domainName}` : write.hostLabel,
        write.fields.custom,
      );
    }
    throw error;
  }
}

function hostConflict(host: string, field: string): BotgateError {
  const message = `Another chatbot already answers at ${host}; choose another name or domain.`;
  return new BotgateError("CONFLICT", message, { host, fieldErrors: { [field]: [message] } });
}

/**
 * Gives every chatbot without a host label its label (rows from before hostLabel existed, and
 * any a later change to the naming rule clears). Idempotent; the API runs it at every start,
 * before it serves, so lookups by label find every chatbot. A label another chatbot holds
 * already (two rows that used to share a host, "whichever came first won") stays with the
 * older chatbot: the newer one is detached from its domain when only its custom host clashes,
 * else undeployed (and left unlabelled, so it routes nowhere by host), with an event saying
 * why; renaming it gives it a label again. Later starts leave such a row as it is.
 */
export async function backfillHostLabels(
  services: Pick<ApiServices, "db" | "routes" | "config" | "logger">,
): Promise<{ labelled: number; conflicts: number[] }> {
  const db: DatabaseClient = services.db;
  const rows = await db.chatBot.findMany({
    where: { hostLabel: null },
    orderBy: { id: "asc" },
    select: { ...routeRowSelect, accountId: true },
  });
  const conflicts: number[] = [];
  const changes: RoutingChange[] = [];
  let labelled = 0;
  for (const row of rows) {
    const hostLabel = hostLabelOf(row.name, {
      username: row.userProfile.user.username,
      isAccountAdmin: row.userProfile.isAccountAdmin,
    });
    const outcome = await labelOrResolve(db, row.id, hostLabel);
    if (outcome === "labelled") {
      labelled++;
      continue;
    }
    conflicts.push(row.id);
    // Already settled by an earlier start: it waits for a rename, nothing new to record.
    if (outcome === "waiting") continue;
    changes.push({ chatbotId: row.id, previousTargets: routeTargetsOfRow(row, services.config) });
    services.logger.warn(
      `chatbot ${row.id}: host label "${hostLabel}" is already used by an older chatbot; ` +
        (outcome === "detached" ? "detached it from its custom domain" : "undeployed it"),
    );
    await recordEvents(db, row.accountId, [
      {
        type: outcome === "detached" ? "chatbot.domain_detached" : "deployment.stopped",
        chatbotId: row.id,
        data: { reason: "host_conflict", hostLabel },
      },
    ]);
  }
  await publishRoutes(services, changes);
  return { labelled, conflicts };
}

async function labelOrResolve(
  db: DatabaseClient,
  id: number,
  hostLabel: string,
): Promise<"labelled" | "detached" | "undeployed" | "waiting"> {
  try {
    await db.chatBot.update({ where: { id }, data: { hostLabel } });
    return "labelled";
  } catch (error) {
    if (uniqueViolationIndex(error) === CUSTOM_HOST_INDEX) {
      try {
        await db.chatBot.update({ where: { id }, data: { hostLabel, customDomainId: null } });
        return "detached";
      } catch (retry) {
        if (uniqueViolationIndex(retry) !== HOST_LABEL_INDEX) throw retry;
      }
    } else if (uniqueViolationIndex(error) !== HOST_LABEL_INDEX) {
      throw error;
    }
    const { count } = await db.chatBot.updateMany({
      where: { id, deployed: true },
      data: { deployed: false, dnsVerificationStatus: "NotVerified" },
    });
    return count === 1 ? "undeployed" : "waiting";
  }
}
