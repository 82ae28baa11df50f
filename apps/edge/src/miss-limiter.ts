// Bounds what unknown targets cost the origin: every route lookup that neither the isolate's
// L1 nor Redis could answer is charged to the client that caused it, and a client over its
// limit is refused (429) before /internal/resolve is asked. Known targets never get here.
import { waitUntil } from "cloudflare:workers";
import { BotgateError } from "@botgate/core";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis/cloudflare";
import { askShared, BoundedMap, LocalWindows } from "./limiter-parts.ts";

export interface MissLimiterOptions {
  /** Lookups allowed per client and window. */
  limit: number;
  windowSeconds: number;
  /** The shared counter; null: every isolate counts on its own. */
  redis: Redis | null;
  /** Past this, the shared counter counts as down and the isolate's own count decides. */
  timeoutMs: number;
}

/**
 * The key a client is counted under: its IPv4 address, or the /64 of its IPv6 address (one
 * subscriber usually holds a whole /64). Requests without a usable CF-Connecting-IP share one.
 */
export function clientKeyOf(ip: string): string {
  if (ip === "") return "no-ip";
  if (!ip.includes(":")) return ip;
  // IPv4-mapped IPv6 (::ffff:192.0.2.1) is the IPv4 client.
  const dotted = /:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (dotted?.[1] !== undefined) return dotted[1];
  const [head = "", tail] = ip.toLowerCase().split("::", 2);
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? 0 : Math.max(0, 8 - headGroups.length - tailGroups.length);
  const groups = [...headGroups, ...Array<string>(zeros).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
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
