import type { RouteEntry } from "@botgate/core";
import type { Redis } from "@upstash/redis";
import { decodeStoredRoute, type RouteStore, type RouteWrite } from "./route-store.ts";
import { withTimeout } from "./with-timeout.ts";

/** What the store needs from an @upstash/redis client (the Node and Cloudflare builds both fit). */
export type UpstashRedisLike = Pick<Redis, "get" | "del" | "pipeline">;

export interface UpstashRouteStoreOptions {
  redis: UpstashRedisLike;
  /** Upper bound for every call; past it the call throws BotgateError("UNAVAILABLE"). Default 150. */
  timeoutMs?: number;
}

/** Redis EX takes whole seconds of at least 1. */
const expirySeconds = (ttlSeconds: number): number => Math.max(1, Math.ceil(ttlSeconds));

function setOptions({ ttlSeconds, ifAbsent }: RouteWrite) {
  if (ttlSeconds === undefined) return ifAbsent ? { nx: true as const } : undefined;
  const ex = expirySeconds(ttlSeconds);
  return ifAbsent ? { ex, nx: true as const } : { ex };
}

export class UpstashRouteStore implements RouteStore {
  readonly #redis: UpstashRedisLike;
  readonly #timeoutMs: number;

  constructor({ redis, timeoutMs = 150 }: UpstashRouteStoreOptions) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
  }

  get(key: string): Promise<RouteEntry | null> {
    return withTimeout("get", this.#timeoutMs, async () =>
      decodeStoredRoute(await this.#redis.get<unknown>(key)),
    );
  }

  async setMany(entries: readonly RouteWrite[]): Promise<void> {
    if (entries.length === 0) return;
    await withTimeout("setMany", this.#timeoutMs, () => {
      // One round trip; values are stored as JSON text whatever the client's serializer does.
      const pipeline = this.#redis.pipeline();
      for (const write of entries) pipeline.set(write.key, JSON.stringify(write.entry), setOptions(write));
      return pipeline.exec();
    });
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    // A single multi-key DEL: one command, one round trip, atomic.
    await withTimeout("delete", this.#timeoutMs, () => this.#redis.del(...keys));
  }
}
