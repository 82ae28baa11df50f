// The routing table's content, defined once: which record a chatbot has and under which keys
// it is published. Write-through (after every routing mutation) and the edge's
// /internal/resolve endpoint both answer from these functions, so Redis only ever holds what
// the origin would answer.
import { type RouteChange, routeTargetsOf, writeRoutes } from "@botgate/cache";
import {
  customHost as deriveCustomHost,
  defaultHost as deriveDefaultHost,
  hashedId,
  isLive,
  NEGATIVE_ROUTE,
  type PlatformConfig,
  type RouteEntry,
  type RouteRecord,
  type RouteTarget,
  routeKey,
} from "@botgate/core";
import type { Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { chatbotFactsOf } from "./facts.ts";

/** Everything a route record is built from: the chatbot, its owner, account, domain and active keys. */
export const routeRowSelect = {
  id: true,
  name: true,
  deployed: true,
  updatedAt: true,
  customDomainId: true,
  appEmbedOrigins: true,
  dnsVerificationStatus: true,
  tlsCertificateIssuanceStatus: true,
  userProfile: { select: { isAccountAdmin: true, user: { select: { username: true } } } },
  account: { select: { accountNumber: true, isActive: true } },
  customDomain: { select: { domainName: true, isVerified: true } },
  _count: { select: { apiKeys: { where: { isActive: true } } } },
} satisfies Prisma.ChatBotSelect;

export type RouteRow = Prisma.ChatBotGetPayload<{ select: typeof routeRowSelect }>;

export function buildRouteRecord(row: RouteRow, config: PlatformConfig): RouteRecord {
  const facts = chatbotFactsOf(row, row.account.accountNumber);
  return {
    found: true,
    chatbotId: row.id,
    hashedId: hashedId(row.id),
    accountNumber: facts.accountNumber,
    defaultHost: deriveDefaultHost(facts, config),
    customHost: deriveCustomHost(facts),
    deployed: facts.deployed,
    ready: isLive(facts),
    dnsVerificationStatus: facts.dnsVerificationStatus,
    tlsCertificateIssuanceStatus: facts.tlsCertificateIssuanceStatus,
    apiKeyRequired: row._count.apiKeys > 0,
    embedOrigins: row.appEmbedOrigins,
    // Every routing change bumps the chatbot's updatedAt (see touchChatbots).
    version: row.updatedAt.getTime(),
  };
}

/** The record the routing table holds for a chatbot: none while its account is suspended. */
function routedRecord(row: RouteRow, config: PlatformConfig): RouteRecord | null {
  return row.account.isActive ? buildRouteRecord(row, config) : null;
}

/** Every target the chatbot is reachable at now (its previous targets, before a change). */
export function routeTargetsOfRow(row: RouteRow, config: PlatformConfig): RouteTarget[] {
  return routeTargetsOf(buildRouteRecord(row, config));
}

/**
 * What a lookup of `target` answers: the record at every target it is reachable at (by id
 * always; by host only while deployed, see routeTargetsOf), a negative entry anywhere else.
 */
export function routeEntryFor(row: RouteRow, target: RouteTarget, config: PlatformConfig): RouteEntry {
  const record = routedRecord(row, config);
  const key = routeKey(target);
  return record !== null && routeTargetsOf(record).some((t) => routeKey(t) === key) ? record : NEGATIVE_ROUTE;
}

/**
 * What write-through stores for a chatbot: its record under every target it is reachable at
 * now, and a tombstone under each target it had before the change and has no longer
 * (renames, domain changes, undeploys, deletion).
 */
export function routeChangeFor(
  row: RouteRow | null,
  previousTargets: readonly RouteTarget[],
  config: PlatformConfig,
): RouteChange {
  return { record: row === null ? null : routedRecord(row, config), stale: previousTargets };
}

/** What write-through needs of the API's services (the operator CLI builds just these). */
export type RoutingServices = Pick<ApiServices, "db" | "routes" | "config" | "logger">;

/** A chatbot whose routing may have changed, with the targets it had before the change. */
export interface RoutingChange {
  chatbotId: number;
  previousTargets: readonly RouteTarget[];
}

/**
 * Writes the routing cache after the database transaction committed, from the rows as they
 * are now. A cache failure never fails the mutation: the edge falls back to the origin.
 */
export async function publishRoutes(
  services: RoutingServices,
  changes: readonly RoutingChange[],
): Promise<void> {
  if (changes.length === 0) return;
  try {
    const rows = await services.db.chatBot.findMany({
      where: { id: { in: changes.map((c) => c.chatbotId) } },
      select: routeRowSelect,
    });
    const byId = new Map(rows.map((row) => [row.id, row]));
    await Promise.all(
      changes.map(({ chatbotId, previousTargets }) =>
        writeRoutes(
          services.routes,
          routeChangeFor(byId.get(chatbotId) ?? null, previousTargets, services.config),
        ),
      ),
    );
  } catch (error) {
    services.logger.warn(
      `routing cache write-through failed for chatbots ${changes.map((c) => c.chatbotId).join(", ")}; ` +
        "the edge falls back to the origin until the next write",
      error,
    );
  }
}

/** Bumps updatedAt (the route record's version) of chatbots whose routing changed without a column of theirs changing. */
export async function touchChatbots(
  tx: Prisma.TransactionClient,
  where: Prisma.ChatBotWhereInput,
): Promise<void> {
  await tx.chatBot.updateMany({ where, data: { updatedAt: new Date() } });
}
