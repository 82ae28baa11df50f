// Write-through used by the API after every mutation that changes routing: the record is
// written under every target it is reachable at now, and targets it no longer answers on
// (rename, undeploy, domain removal, deletion) are overwritten with a short-lived negative
// entry, a tombstone, rather than deleted. A refill (origin or edge, SET NX) that read the
// database just before the change would otherwise re-create a deleted key and keep routing
// to the old chatbot for the refill's whole TTL; the tombstone makes that write a no-op.

import { NEGATIVE_ROUTE, type RouteRecord, type RouteTarget, routeKey } from "@botgate/core";
import type { RouteStore } from "./route-store.ts";
import { ROUTE_TTL } from "./route-ttl.ts";

export interface RouteChange {
  /** The chatbot's record as it is now; null once the chatbot is deleted. */
  record: RouteRecord | null;
  /** Targets that may have routed to this chatbot before; any that it still answers on are kept. */
  stale?: readonly RouteTarget[];
}

export interface RouteWriteResult {
  written: string[];
  /** Keys that no longer route, now holding a tombstone. */
  tombstoned: string[];
}

/**
 * Where a record is reachable: its id always (sandbox and /api/v1 paths serve undeployed
 * chatbots too), its default host and verified custom host only while it is deployed.
 */
export function routeTargetsOf(record: RouteRecord): RouteTarget[] {
  const targets: RouteTarget[] = [{ kind: "id", id: record.chatbotId }];
  if (!record.deployed) return targets;
  targets.push({ kind: "host", host: record.defaultHost });
  if (record.customHost !== null) targets.push({ kind: "host", host: record.customHost });
  return targets;
}

export async function writeRoutes(
  store: RouteStore,
  { record, stale = [] }: RouteChange,
  { ttlSeconds = ROUTE_TTL.writeThroughSeconds }: { ttlSeconds?: number } = {},
): Promise<RouteWriteResult> {
  const written = [...new Set(record === null ? [] : routeTargetsOf(record).map(routeKey))];
  const tombstoned = [...new Set(stale.map(routeKey))].filter((key) => !written.includes(key));
  // Plain SETs: they also replace a negative entry cached for a host that has just become known.
  await store.setMany([
    ...(record === null ? [] : written.map((key) => ({ key, entry: record, ttlSeconds }))),
    ...tombstoned.map((key) => ({ key, entry: NEGATIVE_ROUTE, ttlSeconds: ROUTE_TTL.tombstoneSeconds })),
  ]);
  return { written, tombstoned };
}
