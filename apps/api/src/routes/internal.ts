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
 * The chatbots that could answer at a host: by account number and name for default hosts, by
 * verified domain for custom hosts. routeEntryFor() then decides with the derived hosts, so
 * this only has to narrow the search, never to be exact.
 */
function candidatesForHost(host: string, config: PlatformConfig): Prisma.ChatBotWhereInput | null {
  const classification = classifyRequest(host, "/", config);
  if (classification.kind === "default") {
    // Chatbot names are letters and digits; a hyphen in the label means the name part was
    // shortened to `<head>-<hash>` (rfc1034CompliantName), so match the head.
    const label = classification.name;
    const cut = label.lastIndexOf("-");
    return {
      deployed: true,
      account: { accountNumber: classification.accountNumber },
      name:
        cut < 0
          ? { equals: label, mode: "insensitive" }
          : { startsWith: label.slice(0, cut), mode: "insensitive" },
    };
  }
  if (classification.kind === "custom") {
    // <rfc1034 name>.<domain>, where the name is one label (`name`) or two (`name.username`).
    const labels = host.split(".");
    const domains = [labels.slice(1).join("."), labels.slice(2).join(".")].filter((d) => d.includes("."));
    return { deployed: true, customDomain: { domainName: { in: domains }, isVerified: true } };
  }
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
  const where = candidatesForHost(target.host, config);
  if (where === null) return NEGATIVE_ROUTE;
  const rows = await db.chatBot.findMany({ where, select: routeRowSelect, take: 50 });
  for (const row of rows) {
    const entry = routeEntryFor(row, target, config);
    if (entry.found) return entry;
  }
  return NEGATIVE_ROUTE;
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
