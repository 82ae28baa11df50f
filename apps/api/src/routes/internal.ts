// GET /internal/resolve?target=host:<host>|id:<id>: the edge's last tier. Answers the route
// entry Postgres implies (a record, or { found: false }), built by the same functions as
// write-through (buildRouteRecord via routeEntryFor), and refills Redis with it so the next
// isolate finds it there. Only signed edge requests are answered.
import { routeEntryFor, routeRowSelect } from "@botgate/api";
import { ROUTE_TTL, type RouteStore } from "@botgate/cache";
import {
  BotgateError,
  classifyRequest,
  isChatbotId,
  NEGATIVE_ROUTE,
  type PlatformConfig,
  parseHost,
  type RouteEntry,
  type RouteTarget,
  routeKey,
} from "@botgate/core";
import type { DatabaseClient, Prisma } from "@botgate/db";
import { Hono } from "hono";
import { requireEdge } from "../origin/caller.ts";
import { MAX_STORED_ID } from "../origin/chatbot.ts";
import type { Runtime } from "../runtime.ts";

/** `host:<normalized host>` or `id:<chatbot id>`; the edge sends keys exactly as routeKey() builds them. */
export function parseResolveTarget(value: string | undefined): RouteTarget {
  const [, kind, rest] = /^(host|id):(.+)$/.exec(value ?? "") ?? [];
  if (kind === "id" && rest !== undefined && /^[1-9]\d{0,15}$/.test(rest) && isChatbotId(Number(rest))) {
    return { kind: "id", id: Number(rest) };
  }
  if (kind === "host" && rest !== undefined) {
    const parsed = parseHost(rest);
    // Only the normalized form: anything else would create cache keys nobody ever reads.
    if (parsed.ok && parsed.port === null && parsed.host === rest) return { kind: "host", host: rest };
  }
  throw new BotgateError("BAD_REQUEST", "target must be host:<normalized host> or id:<chatbot id>.");
}

/**
 * The one chatbot that may answer at a host, found through a unique index: (account, host
 * label) for default hosts, the stored custom host for custom hosts. routeEntryFor() then
 * decides whether it answers there now (deployed, the host still its own).
 */
function chatbotAtHost(host: string, config: PlatformConfig): Prisma.ChatBotWhereInput | null {
  const classification = classifyRequest(host, "/", config);
  if (classification.kind === "default") {
    const hostLabel =
      classification.username === undefined
        ? classification.name
        : `${classification.name}.${classification.username}`;
    return { hostLabel, account: { accountNumber: classification.accountNumber } };
  }
  if (classification.kind === "custom") return { customHost: host };
  return null;
}

export async function lookupRoute(
  db: DatabaseClient,
  config: PlatformConfig,
  target: RouteTarget,
): Promise<RouteEntry> {
  if (target.kind === "id") {
    if (target.id > MAX_STORED_ID) return NEGATIVE_ROUTE;
    const row = await db.chatBot.findUnique({ where: { id: target.id }, select: routeRowSelect });
    return row === null ? NEGATIVE_ROUTE : routeEntryFor(row, target, config);
  }
  const where = chatbotAtHost(target.host, config);
  if (where === null) return NEGATIVE_ROUTE;
  const row = await db.chatBot.findFirst({ where, select: routeRowSelect });
  return row === null ? NEGATIVE_ROUTE : routeEntryFor(row, target, config);
}

/**
 * SET NX with the refill lifetimes: a write-through that lands first always wins, and so does
 * the tombstone a routing change leaves, so a refill that read the database just before an
 * undeploy or deletion cannot bring the route back. Not awaited: the edge is waiting.
 */
function refill(routes: RouteStore, target: RouteTarget, entry: RouteEntry): void {
  const ttlSeconds = entry.found ? ROUTE_TTL.refillSeconds : ROUTE_TTL.negativeSeconds;
  routes.setMany([{ key: routeKey(target), entry, ttlSeconds, ifAbsent: true }]).catch((error: unknown) => {
    console.warn(`route refill of ${routeKey(target)} failed; the edge will ask again`, error);
  });
}

export function internalRoutes(runtime: Runtime) {
  return new Hono().get("/internal/resolve", async (c) => {
    await requireEdge(c, runtime);
    const target = parseResolveTarget(c.req.query("target"));
    const entry = await lookupRoute(runtime.db, runtime.config, target);
    refill(runtime.routes, target, entry);
    return c.json(entry, 200, { "Cache-Control": "no-store" });
  });
}
