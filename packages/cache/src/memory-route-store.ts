import type { RouteEntry } from "@botgate/core";
import { LRUCache } from "lru-cache";
import { decodeStoredRoute, type RouteStore, type RouteWrite } from "./route-store.ts";

export interface MemoryRouteStoreOptions {
  /** Bound on stored keys; least recently used ones go first. Default 100 000. */
  maxEntries?: number;
  /** Clock for TTLs (lru-cache `perf`), e.g. a fake one in tests. */
  clock?: { now(): number };
}

/** The embedded default L2 (single process) and a stand-in for Redis in unit tests. */
export class MemoryRouteStore implements RouteStore {
  // JSON text, as in Redis: callers never share objects with the store, and reads validate.
  readonly #entries: LRUCache<string, string>;

  constructor({ maxEntries = 100_000, clock }: MemoryRouteStoreOptions = {}) {
    this.#entries = new LRUCache({ max: maxEntries, ttlResolution: 0, ...(clock && { perf: clock }) });
  }

  async get(key: string): Promise<RouteEntry | null> {
    const raw = this.#entries.get(key);
    return raw === undefined ? null : decodeStoredRoute(raw);
  }

  async setMany(entries: readonly RouteWrite[]): Promise<void> {
    for (const { key, entry, ttlSeconds, ifAbsent } of entries) {
      if (ifAbsent && this.#entries.has(key)) continue;
      this.#entries.set(key, JSON.stringify(entry), {
        ttl: ttlSeconds === undefined ? 0 : ttlSeconds * 1000,
      });
    }
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.#entries.delete(key);
  }
}
