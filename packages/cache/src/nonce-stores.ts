// Where the origin remembers the nonces of signed edge forwards, so that a captured forward
// cannot be replayed within its validity window. All satisfy @botgate/forwarding's NonceStore
// (structurally: the cache does not depend on the forwarding package).
import type { Redis } from "@upstash/redis";
import { LRUCache } from "lru-cache";
import { withTimeout } from "./with-timeout.ts";

const NONCE_KEY_PREFIX = "forward-nonce:v1:";

export interface UpstashNonceStoreOptions {
  redis: Pick<Redis, "set">;
  /**
   * Upper bound per claim; past it the claim throws BotgateError("UNAVAILABLE"). Default 1000:
   * unlike a route read there is no fallback, a slow claim refuses the forward.
   */
  timeoutMs?: number;
}

/** SET NX EX in Redis: atomic across every origin process sharing the Redis. */
export class UpstashNonceStore {
  readonly #redis: Pick<Redis, "set">;
  readonly #timeoutMs: number;

  constructor({ redis, timeoutMs = 1_000 }: UpstashNonceStoreOptions) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
  }

  async claim(nonce: string, ttlSeconds: number): Promise<boolean> {
    const answer = await withTimeout("nonce claim", this.#timeoutMs, () =>
      this.#redis.set(`${NONCE_KEY_PREFIX}${nonce}`, "1", {
        nx: true,
        ex: Math.max(1, Math.ceil(ttlSeconds)),
      }),
    );
    return answer === "OK";
  }
}

/**
 * The one call RedisNonceStore makes, as ioredis declares it. Structural: this package also
 * runs in workerd, which has no TCP Redis client to import.
 */
export interface RedisSetCommand {
  set(key: string, value: string, secondsToken: "EX", seconds: number, nx: "NX"): Promise<"OK" | null>;
}

export interface RedisNonceStoreOptions {
  redis: RedisSetCommand;
  /** As UpstashNonceStore's. */
  timeoutMs?: number;
}

/**
 * The same SET NX EX over a Redis protocol connection (the origin is a long-running Node
 * process that can hold one): a claim is on every forwarded chat request's path, and a REST
 * round trip costs several times a TCP one.
 */
export class RedisNonceStore {
  readonly #redis: RedisSetCommand;
  readonly #timeoutMs: number;

  constructor({ redis, timeoutMs = 1_000 }: RedisNonceStoreOptions) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
  }

  async claim(nonce: string, ttlSeconds: number): Promise<boolean> {
    const answer = await withTimeout("nonce claim", this.#timeoutMs, () =>
      this.#redis.set(`${NONCE_KEY_PREFIX}${nonce}`, "1", "EX", Math.max(1, Math.ceil(ttlSeconds)), "NX"),
    );
    return answer === "OK";
  }
}

export interface MemoryNonceStoreOptions {
  /**
   * Bound on remembered nonces. A nonce evicted before its TTL could be replayed, so this must
   * exceed the forwards one process receives within the TTL. Default 100 000.
   */
  maxEntries?: number;
  /** Clock for TTLs (lru-cache `perf`), e.g. a fake one in tests. */
  clock?: { now(): number };
}

/** The single-process default next to MemoryRouteStore (no Redis configured). */
export class MemoryNonceStore {
  readonly #seen: LRUCache<string, true>;

  constructor({ maxEntries = 100_000, clock }: MemoryNonceStoreOptions = {}) {
    this.#seen = new LRUCache({ max: maxEntries, ttlResolution: 0, ...(clock && { perf: clock }) });
  }

  async claim(nonce: string, ttlSeconds: number): Promise<boolean> {
    // has() ignores expired entries; check and set run without an await in between.
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, true, { ttl: ttlSeconds * 1000 });
    return true;
  }
}
