// One contract for the nonce stores (the replay guard of signed edge forwards): the Upstash one
// against the real Redis through the official client, the Redis one over TCP through ioredis.
import { randomUUID } from "node:crypto";
import { openRedisConnection, type RunningUpstashRest } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";
import IORedis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryNonceStore, RedisNonceStore, UpstashNonceStore } from "../src/index.ts";
import { FakeClock, REDIS_URL, startRealRedis } from "./helpers.ts";

let endpoint: RunningUpstashRest;
let redis: Redis;
let tcp: IORedis;
const used: string[] = [];
const nonce = () => {
  const value = randomUUID();
  used.push(`forward-nonce:v1:${value}`);
  return value;
};

beforeAll(async () => {
  ({ endpoint, redis } = await startRealRedis());
  tcp = new IORedis(REDIS_URL);
});

afterAll(async () => {
  if (used.length > 0) await redis.del(...used);
  await endpoint.close();
  await tcp.quit();
});

const implementations: [string, () => { claim(nonce: string, ttlSeconds: number): Promise<boolean> }][] = [
  ["UpstashNonceStore (real Redis)", () => new UpstashNonceStore({ redis, timeoutMs: 2_000 })],
  ["RedisNonceStore (real Redis over TCP)", () => new RedisNonceStore({ redis: tcp, timeoutMs: 2_000 })],
  ["MemoryNonceStore", () => new MemoryNonceStore()],
];

describe.each(implementations)("%s", (_name, makeStore) => {
  it("lets a nonce be claimed once", async () => {
    const store = makeStore();
    const value = nonce();
    expect(await store.claim(value, 120)).toBe(true);
    expect(await store.claim(value, 120)).toBe(false);
    expect(await store.claim(nonce(), 120)).toBe(true);
  });

  it("lets exactly one of many concurrent claims of a nonce win", async () => {
    const store = makeStore();
    const value = nonce();
    const answers = await Promise.all(Array.from({ length: 20 }, () => store.claim(value, 120)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });
});

describe("UpstashNonceStore", () => {
  it("stores the nonce with SET NX EX, so Redis forgets it after the TTL", async () => {
    const value = nonce();
    await new UpstashNonceStore({ redis, timeoutMs: 2_000 }).claim(value, 121);
    const ttl = await redis.ttl(`forward-nonce:v1:${value}`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(121);
  });

  it("throws UNAVAILABLE when Redis cannot be reached", async () => {
    const unreachable = new Redis({ url: "http://127.0.0.1:9", token: "x", retry: false });
    await expect(
      new UpstashNonceStore({ redis: unreachable, timeoutMs: 2_000 }).claim(nonce(), 10),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("RedisNonceStore", () => {
  it("stores the nonce under the Upstash store's key with SET NX EX: either store refuses the other's", async () => {
    const value = nonce();
    expect(await new RedisNonceStore({ redis: tcp }).claim(value, 121)).toBe(true);
    const ttl = await tcp.ttl(`forward-nonce:v1:${value}`);
    expect(ttl).toBeGreaterThan(100);
    expect(ttl).toBeLessThanOrEqual(121);
    expect(await new UpstashNonceStore({ redis, timeoutMs: 2_000 }).claim(value, 121)).toBe(false);
  });

  it("throws UNAVAILABLE at once when Redis cannot be reached, not after its timeout", async () => {
    // The connection the origin opens (REDIS_URL), to a port where nothing listens.
    const unreachable = await openRedisConnection("redis://127.0.0.1:9");
    const started = Date.now();
    await expect(
      new RedisNonceStore({ redis: unreachable, timeoutMs: 30_000 }).claim(nonce(), 10),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
    expect(Date.now() - started).toBeLessThan(10_000);
    unreachable.disconnect();
  });

  it("throws UNAVAILABLE after its timeout when Redis does not answer", async () => {
    const silent: { set(): Promise<"OK" | null> } = { set: () => new Promise(() => {}) };
    await expect(
      new RedisNonceStore({ redis: silent, timeoutMs: 50 }).claim(nonce(), 10),
    ).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});

describe("MemoryNonceStore", () => {
  it("forgets a nonce after its TTL (lru-cache ttl) and not before", async () => {
    const clock = new FakeClock();
    const store = new MemoryNonceStore({ clock });
    const value = nonce();
    expect(await store.claim(value, 121)).toBe(true);
    clock.advance(120_000);
    expect(await store.claim(value, 121)).toBe(false);
    clock.advance(1_001);
    expect(await store.claim(value, 121)).toBe(true);
  });
});
