// Chat rate limits (docs/limits-and-functions.md): /chat/ and /v1/chat/completions are counted
// here, at the origin, by @botgate/limits in the Redis the runtime names (REDIS_URL's own
// connection, else the routing cache's REST client). Next to Redis rather than at the edge: a
// forward then waits for no Redis round trip before it leaves the edge, and however far from
// Redis the edge runs, one count costs a round trip of the origin's own region.
import { BotgateError } from "@botgate/core";
import { type ChatLimitSubject, ChatRateLimiter, rateLimitHeaders } from "@botgate/limits";
import type { Context, MiddlewareHandler } from "hono";
import type { Runtime } from "../runtime.ts";
import { settleInBackground } from "./background.ts";

declare module "hono" {
  interface ContextVariableMap {
    /** Set once a chat request was counted: the x-ratelimit-*-requests headers of its answer. */
    rateLimitHeaders?: Record<string, string>;
  }
}

export function chatLimiterOf(runtime: Pick<Runtime, "env" | "rateLimitRedis">): ChatRateLimiter {
  const { env } = runtime;
  return new ChatRateLimiter({
    redis: runtime.rateLimitRedis,
    timeoutMs: env.RATE_LIMIT_TIMEOUT_MS,
    onFailure: env.RATE_LIMIT_ON_FAILURE,
    defaults: {
      requests: env.RATE_LIMIT_REQUESTS,
      clientRequests: env.RATE_LIMIT_CLIENT_REQUESTS,
      windowSeconds: env.RATE_LIMIT_WINDOW_S,
    },
    waitUntil: (promise) => settleInBackground("rate limit", promise),
  });
}

/**
 * Counts one chat request and keeps its headers for the answer, a 429's included.
 * @throws BotgateError RATE_LIMITED (429), or UNAVAILABLE (503) when Redis failed and the
 *   setting is fail-closed (see ChatRateLimiter.admit).
 */
export async function countChat(
  c: Context,
  limiter: ChatRateLimiter,
  subject: ChatLimitSubject,
): Promise<void> {
  try {
    c.set("rateLimitHeaders", rateLimitHeaders(await limiter.admit(subject)));
  } catch (error) {
    if (error instanceof BotgateError && error.code === "RATE_LIMITED") {
      const { limit, retryAfterMs } = error.details as { limit: number; retryAfterMs: number };
      c.set("rateLimitHeaders", {
        ...rateLimitHeaders({ limit, remaining: 0, resetMs: retryAfterMs }),
        // To the millisecond (the error handlers' Retry-After-Ms is whole seconds).
        "retry-after-ms": String(retryAfterMs),
      });
    }
    throw error;
  }
}

/** On every answer of a counted request, its errors included. */
export const withRateLimitHeaders = (): MiddlewareHandler => async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(c.get("rateLimitHeaders") ?? {})) c.res.headers.set(name, value);
};
