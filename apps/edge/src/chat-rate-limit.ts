// Where the chat rate limits apply: /chat/ and /v1/chat/completions, the requests that cost a
// provider call. /config/ (the chat page's read, which the edge may even answer itself from
// the route record) and any other endpoint are not counted; the unknown-target limiter and
// the origin's own bounds cover them.
import { BotgateError } from "@botgate/core";
import type { Context } from "hono";
import { type ChatRateLimiter, credentialOf, rateLimitHeaders } from "./chat-limiter.ts";
import { clientIpOf } from "./forward.ts";
import { clientKeyOf } from "./miss-limiter.ts";
import type { Endpoint, ResolvedChatbot } from "./resolve.ts";
import type { EdgeEnv } from "./types.ts";

export const RATE_LIMITED_ENDPOINTS: ReadonlySet<string> = new Set<Endpoint>(["chat", "completions"]);

/** @throws BotgateError RATE_LIMITED or UNAVAILABLE (see ChatRateLimiter.admit). */
export async function applyRateLimit(
  c: Context<EdgeEnv>,
  limiter: ChatRateLimiter,
  chatbot: ResolvedChatbot,
  endpoint: string,
): Promise<void> {
  if (!RATE_LIMITED_ENDPOINTS.has(endpoint)) return;
  const request = c.req.raw;
  try {
    const state = await limiter.admit({
      chatbotId: chatbot.record.chatbotId,
      rateLimit: chatbot.record.rateLimit,
      clientKey: clientKeyOf(clientIpOf(request)),
      credential: credentialOf(request),
    });
    c.set("rateLimitHeaders", rateLimitHeaders(state));
  } catch (error) {
    if (error instanceof BotgateError && error.code === "RATE_LIMITED") {
      const { limit, retryAfterMs } = error.details as { limit: number; retryAfterMs: number };
      c.set("rateLimitHeaders", {
        ...rateLimitHeaders({ limit, remaining: 0, resetMs: retryAfterMs }),
        // errors.ts sets Retry-After (seconds) from details.retryAfterSeconds.
        "retry-after-ms": String(retryAfterMs),
      });
    }
    throw error;
  }
}
