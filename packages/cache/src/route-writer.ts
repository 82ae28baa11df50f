// Write-through used by the API after every mutation that changes routing: the record is
// written under every target it is reachable at now, and targets it no longer answers on
// (rename, undeploy, domain removal, deletion) are deleted.

import { type RouteRecord, type RouteTarget, routeKey } from "@botgate/core";
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
  deleted: string[];
}

/** Where a record is reachable: its id (sandbox and API paths), default host, verified custom host. */
export function routeTargetsOf(record: RouteRecord): RouteTarget[] {
  const targets: RouteTarget[] = [
    { kind: "id", id: record.chatbotId },
    { kind: "host", host: record.defaultHost },
  ];
  if (record.customHost !== null) targets.push({ kind: "host", host: record.customHost });
  return targets;
}

export async function writeRoutes(
  store: RouteStore,
  { record, stale = [] }: RouteChange,
  { ttlSeconds = ROUTE_TTL.writeThroughSeconds }: { ttlSeconds?: number } = {},
): Promise<RouteWriteResult> {
  const written = [...new Set(record === null ? [] : routeTargetsOf(record).map(routeKey))];
  const deleted = [...new Set(stale.map(routeKey))].filter((key) => !written.includes(key));
  // A plain SET also replaces a negative entry cached for a host that has just become known.
  await Promise.all([
    record === null ? undefined : store.setMany(written.map((key) => ({ key, entry: record, ttlSeconds }))),
    store.delete(deleted),
  ]);
  return { written, deleted };
}
