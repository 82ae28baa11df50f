// The official @upstash/redis client against the real Redis through this endpoint, limited to
// the product's own commands (the default); a plain ioredis connection inspects the result.
import { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { uniquePrefix, useEndpoint } from "./helpers.ts";

const prefix = uniquePrefix();
const k = (name: string) => `${prefix}${name}`;
const fx = useEndpoint(prefix, "test-token");

describe("official @upstash/redis client through the endpoint", () => {
  it("round-trips JSON values, which the client serializes and parses itself", async () => {
    const value = { name: "café ☕", n: 42, nested: { ok: true, list: [1, "two", null] } };
    expect(await fx.redis.set(k("json"), value)).toBe("OK");
    expect(await fx.redis.get(k("json"))).toEqual(value);
  });

  it("returns null for a missing key and plain strings unchanged", async () => {
    expect(await fx.redis.get(k("missing"))).toBeNull();
    await fx.redis.set(k("plain"), "hello world");
    expect(await fx.redis.get(k("plain"))).toBe("hello world");
  });

  it("keeps a stored literal OK distinct from a status reply", async () => {
    await fx.redis.set(k("ok"), "OK");
    expect(await fx.redis.get(k("ok"))).toBe("OK");
  });

  it("sets an expiry with EX, and with EXPIRE and PEXPIRE later", async () => {
    await fx.redis.set(k("ttl"), "v", { ex: 100 });
    expect(await fx.inspect.ttl(k("ttl"))).toBeGreaterThan(95);
    await fx.redis.set(k("later"), "v");
    expect(await fx.redis.expire(k("later"), 50)).toBe(1);
    expect(await fx.inspect.ttl(k("later"))).toBeGreaterThan(45);
    expect(await fx.redis.pexpire(k("later"), 200_000)).toBe(1);
    expect(await fx.inspect.ttl(k("later"))).toBeGreaterThan(195);
  });

  it("expires a key after its PX time", async () => {
    await fx.redis.set(k("short"), "v", { px: 50 });
    await expect.poll(() => fx.redis.get(k("short")), { timeout: 5_000, interval: 50 }).toBeNull();
  });

  it("writes a key only when absent with SET NX EX, as a replay-nonce store does", async () => {
    expect(await fx.redis.set(k("nonce"), "1", { nx: true, ex: 120 })).toBe("OK");
    expect(await fx.redis.set(k("nonce"), "2", { nx: true, ex: 120 })).toBeNull();
    expect(await fx.redis.get(k("nonce"))).toBe(1);
  });

  it("deletes keys and counts them", async () => {
    await fx.redis.set(k("d1"), 1);
    await fx.redis.set(k("d2"), 2);
    expect(await fx.redis.del(k("d1"), k("d2"), k("d3"))).toBe(2);
    expect(await fx.inspect.exists(k("d1"), k("d2"))).toBe(0);
  });

  it("reads several keys with mget, null for missing ones", async () => {
    await fx.redis.set(k("m1"), { a: 1 });
    await fx.redis.set(k("m2"), "two");
    expect(await fx.redis.mget(k("m1"), k("m2"), k("m3"))).toEqual([{ a: 1 }, "two", null]);
  });

  it("runs a pipeline of SETs, as the route store writes, and returns each result in order", async () => {
    const results = await fx.redis
      .pipeline()
      .set(k("p1"), JSON.stringify({ found: true }), { ex: 60 })
      .set(k("p2"), "x", { ex: 60, nx: true })
      .get(k("p1"))
      .exec();
    expect(results).toEqual(["OK", "OK", { found: true }]);
  });

  it("keeps other pipeline results when one command fails, if asked to", async () => {
    const results = await fx.redis
      .pipeline()
      .set(k("p1"), "v", { ex: 0 })
      .get(k("p2"))
      .exec({ keepErrors: true });
    expect(results[0]?.error).toMatch(/invalid expire time/);
    expect(results[1]).toEqual({ error: undefined, result: "x" });
  });

  it("runs a multi-exec transaction atomically", async () => {
    const results = await fx.redis.multi().set(k("tx"), 10).get(k("tx")).del(k("tx")).exec();
    expect(results).toEqual(["OK", 10, 1]);
  });

  it("rejects a transaction with a malformed command as a whole", async () => {
    // The client never queues a malformed command, so speak the protocol directly.
    await expect(
      fetch(`${fx.endpoint.url}/multi-exec`, {
        method: "POST",
        headers: { authorization: `Bearer ${fx.endpoint.token}` },
        body: JSON.stringify([["SET", k("tx-discarded"), "1"], ["GET"]]),
      }).then(async (r) => [r.status, await r.json()]),
    ).resolves.toEqual([400, { error: expect.stringMatching(/^EXECABORT.*wrong number of arguments/) }]);
    expect(await fx.inspect.exists(k("tx-discarded"))).toBe(0);
  });

  it("surfaces a Redis error as an UpstashError with the Redis message", async () => {
    await expect(fx.redis.set(k("bad"), "v", { ex: 0 })).rejects.toThrow(/invalid expire time/);
  });

  it("rejects a wrong token", async () => {
    const intruder = new Redis({ url: fx.endpoint.url, token: "not-the-token", enableTelemetry: false });
    await expect(intruder.get(k("json"))).rejects.toThrow(/Unauthorized/);
  });
});
