// The official @upstash/redis client against the real Redis through this endpoint.
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningUpstashRest, startUpstashRest } from "../src/index.ts";
import { REDIS_URL, uniquePrefix } from "./helpers.ts";

const prefix = uniquePrefix();
const k = (name: string) => `${prefix}${name}`;
let endpoint: RunningUpstashRest;
let redis: Redis;

beforeAll(async () => {
  endpoint = await startUpstashRest({ redisUrl: REDIS_URL, token: "test-token" });
  redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await endpoint.close();
});

describe("official @upstash/redis client through the endpoint", () => {
  it("round-trips JSON values, which the client serializes and parses itself", async () => {
    const value = { name: "café ☕", n: 42, nested: { ok: true, list: [1, "two", null] } };
    expect(await redis.set(k("json"), value)).toBe("OK");
    expect(await redis.get(k("json"))).toEqual(value);
  });

  it("returns null for a missing key and plain strings unchanged", async () => {
    expect(await redis.get(k("missing"))).toBeNull();
    await redis.set(k("plain"), "hello world");
    expect(await redis.get(k("plain"))).toBe("hello world");
  });

  it("keeps a stored literal OK distinct from nothing and decodes status replies", async () => {
    await redis.set(k("ok"), "OK");
    expect(await redis.get(k("ok"))).toBe("OK");
    expect(await redis.type(k("ok"))).toBe("string");
    expect(await redis.ping()).toBe("PONG");
  });

  it("sets an expiry with EX and reports it with TTL", async () => {
    await redis.set(k("ttl"), "v", { ex: 100 });
    const ttl = await redis.ttl(k("ttl"));
    expect(ttl).toBeGreaterThan(95);
    expect(ttl).toBeLessThanOrEqual(100);
    expect(await redis.ttl(k("no-such-key"))).toBe(-2);
  });

  it("expires a key after its PX time", async () => {
    await redis.set(k("short"), "v", { px: 50 });
    await new Promise((r) => setTimeout(r, 120));
    expect(await redis.get(k("short"))).toBeNull();
  });

  it("deletes keys and counts them", async () => {
    await redis.set(k("d1"), 1);
    await redis.set(k("d2"), 2);
    expect(await redis.del(k("d1"), k("d2"), k("d3"))).toBe(2);
    expect(await redis.exists(k("d1"), k("d2"))).toBe(0);
  });

  it("reads several keys with mget, null for missing ones", async () => {
    await redis.set(k("m1"), { a: 1 });
    await redis.set(k("m2"), "two");
    expect(await redis.mget(k("m1"), k("m2"), k("m3"))).toEqual([{ a: 1 }, "two", null]);
  });

  it("runs a pipeline and returns each command's result in order", async () => {
    const results = await redis
      .pipeline()
      .set(k("p"), 1)
      .incr(k("p"))
      .get(k("p"))
      .hset(k("h"), { field: "value" })
      .hgetall(k("h"))
      .exec();
    expect(results).toEqual(["OK", 2, 2, 1, { field: "value" }]);
  });

  it("keeps other pipeline results when one command fails, if asked to", async () => {
    await redis.set(k("str"), "text");
    const results = await redis.pipeline().incr(k("str")).get(k("str")).exec({ keepErrors: true });
    expect(results[0]?.error).toMatch(/not an integer/);
    expect(results[1]).toEqual({ error: undefined, result: "text" });
  });

  it("runs a multi-exec transaction atomically", async () => {
    const results = await redis.multi().set(k("tx"), 10).incrby(k("tx"), 5).get(k("tx")).exec();
    expect(results).toEqual(["OK", 15, 15]);
  });

  it("rejects a transaction with an unknown command as a whole", async () => {
    // The client has no way to queue an unknown command, so speak the protocol directly.
    await expect(
      fetch(`${endpoint.url}/multi-exec`, {
        method: "POST",
        headers: { authorization: `Bearer ${endpoint.token}` },
        body: JSON.stringify([
          ["SET", k("tx-discarded"), "1"],
          ["NOSUCHCOMMAND", "x"],
        ]),
      }).then(async (r) => [r.status, await r.json()]),
    ).resolves.toEqual([400, { error: expect.stringMatching(/^EXECABORT.*unknown command/) }]);
    expect(await redis.exists(k("tx-discarded"))).toBe(0);
  });

  it("surfaces a Redis error as an UpstashError with the Redis message", async () => {
    await redis.set(k("wrongtype"), "text");
    await expect(redis.hget(k("wrongtype"), "f")).rejects.toThrow(/WRONGTYPE/);
  });

  it("rejects a wrong token", async () => {
    const intruder = new Redis({ url: endpoint.url, token: "not-the-token", enableTelemetry: false });
    await expect(intruder.get(k("json"))).rejects.toThrow(/Unauthorized/);
  });
});
