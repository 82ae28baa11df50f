// What both limiters share: the edge's unknown-target limiter and the origin's chat rate
// limits (chat-limiter.ts). Bounded in-memory tables, the process's (or isolate's) own fixed
// window for when there is no Redis, and one way to ask @upstash/ratelimit that never throws.
import type { Ratelimit } from "@upstash/ratelimit";
import { LRUCache } from "lru-cache";

/** Bound on the clients any in-memory table holds; the oldest are forgotten first. */
export const MAX_TRACKED_CLIENTS = 10_000;

/**
 * @upstash/ratelimit's ephemeral cache must be a Map; this one forgets its oldest entry
 * rather than growing with every client that was ever blocked.
 */
export class BoundedMap<K, V> extends Map<K, V> {
  override set(key: K, value: V): this {
    if (!this.has(key) && this.size >= MAX_TRACKED_CLIENTS) {
      const oldest = this.keys().next();
      if (oldest.done !== true) this.delete(oldest.value);
    }
    return super.set(key, value);
  }
}

export interface WindowCount {
  allowed: boolean;
  /** Requests left in the window after this one. */
  remaining: number;
  /** Epoch ms when the window ends. */
  resetAt: number;
}

/**
 * Fixed windows counted in this process (or isolate), per key: the fallback without Redis. A
 * window runs from a key's first counted request (the entry's TTL is not renewed).
 */
export class LocalWindows {
  readonly #entries: LRUCache<string, { count: number }>;
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
    this.#entries = new LRUCache({ max: MAX_TRACKED_CLIENTS, ttl: windowMs, ttlResolution: 0 });
  }

  count(key: string, limit: number, now = Date.now()): WindowCount {
    const entry = this.#entries.get(key);
    if (entry === undefined) {
      this.#entries.set(key, { count: 1 });
      return { allowed: limit >= 1, remaining: Math.max(0, limit - 1), resetAt: now + this.#windowMs };
    }
    entry.count += 1;
    return {
      allowed: entry.count <= limit,
      remaining: Math.max(0, limit - entry.count),
      resetAt: now + this.#entries.getRemainingTTL(key),
    };
  }
}

export type SharedAnswer =
  | { kind: "answered"; success: boolean; limit: number; remaining: number; resetAt: number }
  /** Redis failed, or did not answer within the limiter's timeout. */
  | { kind: "failed"; reason: "timeout" | "error" };

/**
 * One limit() call. The library's own background work (its `pending` promise: analytics,
 * multi-region sync) goes to `waitUntil` (the worker's, or the origin's background tracker),
 * so it never holds the response back.
 */
export async function askShared(
  limiter: Ratelimit,
  key: string,
  waitUntil: (promise: Promise<unknown>) => void,
): Promise<SharedAnswer> {
  try {
    const result = await limiter.limit(key);
    waitUntil(result.pending.catch(() => {}));
    if (result.reason === "timeout") return { kind: "failed", reason: "timeout" };
    return {
      kind: "answered",
      success: result.success,
      limit: result.limit,
      remaining: result.remaining,
      resetAt: result.reset,
    };
  } catch {
    return { kind: "failed", reason: "error" };
  }
}
