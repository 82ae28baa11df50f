// Bounds what unknown targets cost the origin: every route lookup that neither the isolate's
// L1 nor Redis could answer is charged to the client that caused it, and a client over its
// limit is refused (429) before /internal/resolve is asked. Known targets never get here.
import { waitUntil } from "cloudflare:workers";
import { BotgateError } from "@botgate/core";
import { askShared, BoundedMap, LocalWindows } from "@botgate/limits";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis/cloudflare";

export interface MissLimiterOptions {
  /** Lookups allowed per client and window. */
  limit: number;
  windowSeconds: number;
  /** The shared counter; null: every isolate counts on its own. */
  redis: Redis | null;
  /** Past this, the shared counter counts as down and the isolate's own count decides. */
  timeoutMs: number;
}

function refusal(resetAt: number, now: number): BotgateError {
  return new BotgateError("RATE_LIMITED", "Too many requests for unknown chatbot addresses; slow down.", {
    retryAfterSeconds: Math.max(1, Math.ceil((resetAt - now) / 1000)),
  });
}

export class ResolveMissLimiter {
  readonly #shared: Ratelimit | null;
  /** Fixed windows counted in this isolate: without Redis, or while Redis fails or is slow. */
  readonly #local: LocalWindows;
  /** Clients this isolate refused, until when: refused again without asking Redis. */
  readonly #refusedUntil = new BoundedMap<string, number>();
  readonly #limit: number;

  constructor({ limit, windowSeconds, redis, timeoutMs }: MissLimiterOptions) {
    this.#limit = limit;
    this.#local = new LocalWindows(windowSeconds * 1000);
    this.#shared =
      redis === null
        ? null
        : new Ratelimit({
            redis,
            limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
            prefix: "botgate:resolve-miss",
            // The library answers "allowed" (reason "timeout") once this passes; see admit().
            timeout: timeoutMs,
            // Clients Redis already refused are refused again here until their window resets.
            ephemeralCache: new BoundedMap<string, number>(),
            analytics: false,
          });
  }

  /** @throws BotgateError("RATE_LIMITED") with details.retryAfterSeconds when over the limit. */
  async admit(clientKey: string): Promise<void> {
    const now = Date.now();
    const refusedUntil = this.#refusedUntil.get(clientKey);
    if (refusedUntil !== undefined && now < refusedUntil) throw refusal(refusedUntil, now);
    const shared = this.#shared === null ? null : await askShared(this.#shared, clientKey, waitUntil);
    // No answer from Redis within the timeout: the isolate's own count decides, so a Redis
    // outage neither opens the origin to the flood nor turns every miss away.
    const { allowed, resetAt } =
      shared?.kind === "answered"
        ? { allowed: shared.success, resetAt: shared.resetAt }
        : this.#local.count(clientKey, this.#limit, now);
    if (allowed) {
      this.#refusedUntil.delete(clientKey);
      return;
    }
    this.#refusedUntil.set(clientKey, resetAt);
    throw refusal(resetAt, now);
  }
}
