// The official @upstash/redis client, and @upstash/ratelimit over it, on a Redis protocol
// connection of the process (directRequester) against the real Redis: the same commands,
// replies and refusals as through the REST endpoint, without the HTTP request.
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import type { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { directRequester, openRedisConnection } from "../src/index.ts";
import { closedPort, REDIS_URL, uniquePrefix } from "./helpers.ts";

const prefix = uniquePrefix();
let connection: IORedis;
let redis: Redis;

beforeAll(async () => {
  connection = await openRedisConnection(REDIS_URL);
  redis = new Redis(directRequester({ redis: connection }));
});
afterAll(async () => {
  const keys = await connection.keys(`${prefix}*`);
  if (keys.length > 0) await connection.del(...keys);
  connection.disconnect();
});

describe("@upstash/redis over a direct connection", () => {
  it("runs the product's commands with Upstash's replies", async () => {
    expect(await redis.set(`${prefix}a`, { n: 1 }, { ex: 60 })).toBe("OK");
    expect(await redis.get(`${prefix}a`)).toEqual({ n: 1 });
    expect(await redis.set(`${prefix}a`, "again", { nx: true, ex: 60 })).toBeNull();
    expect(await redis.mget(`${prefix}a`, `${prefix}missing`)).toEqual([{ n: 1 }, null]);
    expect(await redis.del(`${prefix}a`)).toBe(1);
  });

  it("runs a pipeline, with each command's own outcome", async () => {
    const pipeline = redis.pipeline();
    pipeline.set(`${prefix}p1`, "one");
    pipeline.get(`${prefix}p1`);
    pipeline.del(`${prefix}p1`);
    expect(await pipeline.exec()).toEqual(["OK", "one", 1]);
  });

  it("refuses commands outside the product's, as the endpoint does", async () => {
    await expect(redis.flushall()).rejects.toThrow(/not allowed/);
    await expect(redis.eval("return 1", [], [])).rejects.toThrow(/ratelimit's own scripts/);
  });

  it("lets @upstash/ratelimit count, its scripts loaded once and then run by hash", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(3, "60 s"),
      prefix: `${prefix}rl`,
      ephemeralCache: new Map(),
      timeout: 0,
    });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await limiter.limit("client")).success);
    expect(outcomes).toEqual([true, true, true, false]);
    expect((await limiter.getRemaining("client")).remaining).toBe(0);
  });

  it("rejects the request (not a command error) while Redis cannot be reached", async () => {
    const down = await openRedisConnection(`redis://127.0.0.1:${await closedPort()}`);
    try {
      const unreachable = new Redis(directRequester({ redis: down }));
      await expect(unreachable.get(`${prefix}x`)).rejects.toThrow(/unavailable/);
    } finally {
      down.disconnect();
    }
  });
});
