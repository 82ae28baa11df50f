// One contract for both RouteStore implementations, the Upstash one against the real Redis.
import { createServer, type Server } from "node:http";
import { BotgateError, NEGATIVE_ROUTE, type RouteEntry, routeKey } from "@botgate/core";
import type { RunningUpstashRest } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryRouteStore, type RouteStore, UpstashRouteStore } from "../src/index.ts";
import { FakeClock, startRealRedis, TestRoutes } from "./helpers.ts";

const routes = new TestRoutes();
let endpoint: RunningUpstashRest;
let redis: Redis;

beforeAll(async () => {
  ({ endpoint, redis } = await startRealRedis());
});

afterAll(async () => {
  await redis.del(...routes.keys);
  await endpoint.close();
});

const implementations: [string, () => RouteStore][] = [
  ["UpstashRouteStore (real Redis)", () => new UpstashRouteStore({ redis, timeoutMs: 2_000 })],
  ["MemoryRouteStore", () => new MemoryRouteStore()],
];

describe.each(implementations)("%s", (_name, makeStore) => {
  it("round-trips positive and negative entries, and misses unknown keys", async () => {
    const store = makeStore();
    const record = routes.record({ customHost: routes.host("custom").host, apiKeyRequired: true });
    const unknown = routeKey(routes.host("unknown"));
    await store.setMany([
      { key: routeKey({ kind: "id", id: record.chatbotId }), entry: record },
      { key: unknown, entry: NEGATIVE_ROUTE, ttlSeconds: 30 },
    ]);
    expect(await store.get(routeKey({ kind: "id", id: record.chatbotId }))).toEqual(record);
    expect(await store.get(unknown)).toEqual(NEGATIVE_ROUTE);
    expect(await store.get(routeKey(routes.host("never-written")))).toBeNull();
  });

  it("lets a negative entry expire after its TTL", { timeout: 5_000 }, async () => {
    const store = makeStore();
    const key = routeKey(routes.host("expiring"));
    await store.setMany([{ key, entry: NEGATIVE_ROUTE, ttlSeconds: 1 }]);
    expect(await store.get(key)).toEqual(NEGATIVE_ROUTE);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await store.get(key)).toBeNull();
  });

  it("treats a value that is not a valid route entry as a miss", async () => {
    const store = makeStore();
    const key = routeKey(routes.host("malformed"));
    const { version: _dropped, ...withoutVersion } = routes.record();
    for (const malformed of [
      { found: "yes" },
      withoutVersion,
      { ...routes.record(), chatbotId: -1 },
      [1, 2],
    ]) {
      await store.setMany([{ key, entry: malformed as unknown as RouteEntry }]);
      expect(await store.get(key)).toBeNull();
    }
  });

  it("leaves an existing entry alone when writing only-if-absent", async () => {
    const store = makeStore();
    const key = routeKey(routes.host("kept"));
    const record = routes.record();
    await store.setMany([{ key, entry: record }]);
    await store.setMany([{ key, entry: NEGATIVE_ROUTE, ifAbsent: true }]);
    expect(await store.get(key)).toEqual(record);
  });

  it("deletes several keys at once and accepts empty batches", async () => {
    const store = makeStore();
    const keys = [routeKey(routes.host("d1")), routeKey(routes.host("d2"))];
    await store.setMany(keys.map((key) => ({ key, entry: NEGATIVE_ROUTE })));
    await store.delete(keys);
    await store.setMany([]);
    await store.delete([]);
    expect(await Promise.all(keys.map((key) => store.get(key)))).toEqual([null, null]);
  });
});

describe("UpstashRouteStore specifics", () => {
  it("treats garbage written by another client as a miss", async () => {
    const store = new UpstashRouteStore({ redis, timeoutMs: 2_000 });
    const key = routeKey(routes.host("garbage"));
    for (const garbage of ["not json", '{"found":true', "42", "null"]) {
      await redis.set(key, garbage);
      expect(await store.get(key)).toBeNull();
    }
  });

  it("stores positive entries with the requested expiry, in whole seconds", async () => {
    const store = new UpstashRouteStore({ redis, timeoutMs: 2_000 });
    const key = routeKey(routes.host("ttl"));
    await store.setMany([{ key, entry: routes.record(), ttlSeconds: 99.2 }]);
    expect(await redis.ttl(key)).toBeGreaterThan(95);
    await store.setMany([{ key, entry: routes.record() }]);
    expect(await redis.ttl(key)).toBe(-1);
  });

  describe("against an endpoint that never answers", () => {
    let hung: Server;
    let url: string;
    beforeAll(async () => {
      hung = createServer(() => {}); // accepts requests and never responds
      await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
      const address = hung.address();
      url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    });
    afterAll(async () => {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    });

    it("gives up after its timeout with BotgateError UNAVAILABLE, for reads and writes", async () => {
      const store = new UpstashRouteStore({
        redis: new Redis({ url, token: "t", enableTelemetry: false }),
        timeoutMs: 100,
      });
      const started = Date.now();
      for (const call of [
        () => store.get("k"),
        () => store.setMany([{ key: "k", entry: NEGATIVE_ROUTE }]),
        () => store.delete(["k"]),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(BotgateError);
        expect(error).toMatchObject({
          code: "UNAVAILABLE",
          message: expect.stringMatching(/timed out after 100 ms/),
        });
      }
      expect(Date.now() - started).toBeLessThan(1_000);
    });
  });

  it("reports a rejected request (wrong token) as UNAVAILABLE so callers fall back", async () => {
    const intruder = new Redis({ url: endpoint.url, token: "wrong", enableTelemetry: false });
    const error = await new UpstashRouteStore({ redis: intruder }).get("k").catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "BotgateError", code: "UNAVAILABLE" });
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});

describe("MemoryRouteStore specifics", () => {
  it("expires entries by its injected clock and keeps entries without a TTL", async () => {
    const clock = new FakeClock();
    const store = new MemoryRouteStore({ clock });
    await store.setMany([
      { key: "negative", entry: NEGATIVE_ROUTE, ttlSeconds: 30 },
      { key: "forever", entry: NEGATIVE_ROUTE },
    ]);
    clock.advance(29_999);
    expect(await store.get("negative")).toEqual(NEGATIVE_ROUTE);
    clock.advance(2);
    expect(await store.get("negative")).toBeNull();
    clock.advance(10 ** 9);
    expect(await store.get("forever")).toEqual(NEGATIVE_ROUTE);
  });

  it("returns copies, so callers cannot change what is stored", async () => {
    const store = new MemoryRouteStore();
    const record = routes.record();
    await store.setMany([{ key: "k", entry: record }]);
    record.ready = false;
    expect(await store.get("k")).toMatchObject({ ready: true });
  });
});
