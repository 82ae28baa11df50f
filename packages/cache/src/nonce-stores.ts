// Where the origin remembers the nonces of signed edge forwards, so that a captured forward
// cannot be replayed within its validity window. All satisfy @botgate/forwarding's NonceStore
// (structurally: the cache does not depend on the forwarding package).
import type { Redis } from "@upstash/redis";
import { LRUCache } from "lru-cache";
import { withTimeout } from "./with-timeout.ts";

const NONCE_KEY_PREFIX = "forward-nonce:v1:";

/** One SET NX EX per claim, bounded in time: atomic across every origin sharing the Redis. */
abstract class SetIfAbsentNonceStore {
  readonly #timeoutMs: number;

  /**
   * `timeoutMs`: upper bound per claim; past it the claim throws BotgateError("UNAVAILABLE").
   * Default 1000: unlike a route read there is no fallback, a slow claim refuses the forward.
   */
  constructor(timeoutMs = 1_000) {
    this.#timeoutMs = timeoutMs;
  }

  /** SET key 1 NX EX seconds; true when the key was set (the nonce is new). */
  protected abstract setIfAbsent(key: string, seconds: number): Promise<boolean>;

  claim(nonce: string, ttlSeconds: number): Promise<boolean> {
    return withTimeout("nonce claim", this.#timeoutMs, () =>
      this.setIfAbsent(`${NONCE_KEY_PREFIX}${nonce}`, Math.max(1, Math.ceil(ttlSeconds))),
    );
  }
}

export interface UpstashNonceStoreOptions {
  redis: Pick<Redis, "set">;
  /** See SetIfAbsentNonceStore. */
  timeoutMs?: number;
}

/** Through the Upstash REST client (workerd and the origin without REDIS_URL). */
export class UpstashNonceStore extends SetIfAbsentNonceStore {
  readonly #redis: Pick<Redis, "set">;

  constructor({ redis, timeoutMs }: UpstashNonceStoreOptions) {
    super(timeoutMs);
    this.#redis = redis;
  }

  protected async setIfAbsent(key: string, seconds: number): Promise<boolean> {
    return (await this.#redis.set(key, "1", { nx: true, ex: seconds })) === "OK";
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
  /** See SetIfAbsentNonceStore. */
  timeoutMs?: number;
}

/**
 * Over a Redis protocol connection (the origin is a long-running Node process that can hold
 * one): a claim is on every forwarded chat request's path, and a REST round trip costs several
 * times a TCP one.
 */
export class RedisNonceStore extends SetIfAbsentNonceStore {
  readonly #redis: RedisSetCommand;

  constructor({ redis, timeoutMs }: RedisNonceStoreOptions) {
    super(timeoutMs);
    this.#redis = redis;
  }

  protected async setIfAbsent(key: string, seconds: number): Promise<boolean> {
    return (await this.#redis.set(key, "1", "EX", seconds, "NX")) === "OK";
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
