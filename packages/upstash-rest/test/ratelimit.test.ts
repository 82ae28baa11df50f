// @upstash/ratelimit, the product's rate limiter, through the endpoint against the real Redis:
// its EVALSHA misses once (NOSCRIPT), it falls back to EVAL of its own script, and from then on
// EVALSHA hits. Upstash-only shebang flags never reach Redis, which would refuse them.
import { Ratelimit } from "@upstash/ratelimit";
import { describe, expect, it } from "vitest";
import { uniquePrefix, useEndpoint } from "./helpers.ts";

const prefix = uniquePrefix();
const fx = useEndpoint(prefix, "ratelimit-token");

const algorithms = {
  fixedWindow: Ratelimit.fixedWindow(3, "60 s"),
  slidingWindow: Ratelimit.slidingWindow(3, "60 s"),
  tokenBucket: Ratelimit.tokenBucket(1, "60 s", 3),
  cachedFixedWindow: Ratelimit.cachedFixedWindow(3, "60 s"),
};

describe("@upstash/ratelimit through the endpoint", () => {
  for (const [name, limiter] of Object.entries(algorithms)) {
    it(`limits with ${name}: three calls pass, the fourth is refused, remaining tokens are read`, async () => {
      const ratelimit = new Ratelimit({
        redis: fx.redis,
        limiter,
        prefix: `${prefix}${name}`,
        // A cache of its own per limiter: the library's default cache is shared per process.
        ephemeralCache: new Map(),
        timeout: 0,
      });
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await ratelimit.limit("client-a")).success);
      expect(outcomes).toEqual([true, true, true, false]);
      expect((await ratelimit.getRemaining("client-a")).remaining).toBe(0);
      expect((await ratelimit.getRemaining("client-b")).remaining).toBe(3);
      expect((await ratelimit.limit("client-b")).success).toBe(true);
    });
  }
});
