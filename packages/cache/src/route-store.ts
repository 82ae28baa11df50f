// The shared (L2) routing cache. Written by the API in Node, read by the edge in workerd:
// nothing here or in its implementations may import node:* modules.

import { parseRouteEntry, type RouteEntry } from "@botgate/core";

export interface RouteWrite {
  /** Always built with routeKey() from @botgate/core. */
  key: string;
  entry: RouteEntry;
  /** Omitted: the entry never expires. */
  ttlSeconds?: number;
  /** Write only when the key holds nothing (SET NX): refills must never clobber a write-through. */
  ifAbsent?: boolean;
}

export interface RouteStore {
  /** null is a miss; malformed stored data is a miss too, never trusted. */
  get(key: string): Promise<RouteEntry | null>;
  setMany(entries: readonly RouteWrite[]): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
}

/** Stored values are JSON text; anything that does not parse into a RouteEntry is a miss. */
export function decodeStoredRoute(raw: unknown): RouteEntry | null {
  if (typeof raw !== "string") return parseRouteEntry(raw);
  try {
    return parseRouteEntry(JSON.parse(raw));
  } catch {
    return null;
  }
}
