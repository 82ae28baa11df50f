// The edge's resolver: L1 with a fake clock, L2 = the real Redis through the local Upstash
// endpoint, origin = a counted function.
import {
  BotgateError,
  NEGATIVE_ROUTE,
  type RouteEntry,
  type RouteRecord,
  type RouteTarget,
  routeKey,
} from "@botgate/core";
import type { RunningUpstashRest } from "@botgate/upstash-rest";
import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  type LookupEvent,
  type RouteStore,
  TieredRouteResolver,
  type TieredRouteResolverOptions,
  UpstashRouteStore,
  writeRoutes,
} from "../src/index.ts";
import { FakeClock, startRealRedis, TestRoutes } from "./helpers.ts";

const routes = new TestRoutes();
let endpoint: RunningUpstashRest;
let redis: Redis;
let store: UpstashRouteStore;

beforeAll(async () => {
  ({ endpoint, redis } = await startRealRedis());
  store = new UpstashRouteStore({ redis, timeoutMs: 2_000 });
});

afterAll(async () => {
  await redis.del(...routes.keys);
  await endpoint.close();
});

/** A resolver plus everything a test wants to count or await. */
function setup(
  origin: (target: RouteTarget) => Promise<RouteEntry>,
  options: Partial<TieredRouteResolverOptions> & { store?: RouteStore | undefined } = {},
) {
  const clock = new FakeClock();
  const events: LookupEvent[] = [];
  const background: Promise<unknown>[] = [];
  const loadFromOrigin = vi.fn(origin);
  const resolver = new TieredRouteResolver({
    store,
    clock,
    loadFromOrigin,
    waitUntil: (promise) => background.push(promise),
    onLookup: (event) => events.push(event),
    ...options,
  });
  const count = (tier: LookupEvent["tier"], outcome?: LookupEvent["outcome"]) =>
    events.filter((e) => e.tier === tier && (outcome === undefined || e.outcome === outcome)).length;
  return { resolver, clock, loadFromOrigin, count, settle: () => Promise.all(background.splice(0)) };
}

const originKnowing =
  (...records: RouteRecord[]) =>
  async (target: RouteTarget): Promise<RouteEntry> =>
    records.find((r) =>
      target.kind === "id"
        ? r.chatbotId === target.id
        : r.defaultHost === target.host || r.customHost === target.host,
    ) ?? NEGATIVE_ROUTE;

const hostOf = (record: RouteRecord): RouteTarget => ({ kind: "host", host: record.defaultHost });

describe("TieredRouteResolver", () => {
  it("answers a repeat lookup from L1 without touching L2 or the origin", async () => {
    const record = routes.record();
    const { resolver, loadFromOrigin, count } = setup(originKnowing(record));
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "origin", stale: false });
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "l1", stale: false });
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
    expect(count("l2")).toBe(1);
    expect(count("l1", "hit")).toBe(1);
  });

  it("collapses 50 concurrent misses for one host into one L2 read and one origin call", async () => {
    const record = routes.record();
    const { resolver, loadFromOrigin, count } = setup(async (target) => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return originKnowing(record)(target);
    });
    const answers = await Promise.all(Array.from({ length: 50 }, () => resolver.resolve(hostOf(record))));
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
    expect(count("l2")).toBe(1);
    expect(count("l1", "miss")).toBe(50);
    expect(new Set(answers.map((a) => a.entry))).toEqual(new Set([record]));
  });

  it("answers from L2 what the API wrote through, without calling the origin", async () => {
    const record = routes.record();
    await writeRoutes(store, { record });
    const { resolver, loadFromOrigin } = setup(originKnowing());
    expect(await resolver.resolve({ kind: "id", id: record.chatbotId })).toEqual({
      entry: record,
      source: "l2",
      stale: false,
    });
    expect(loadFromOrigin).not.toHaveBeenCalled();
  });

  it("asks L2 again once the L1 entry is older than its TTL, and after invalidate()", async () => {
    const record = routes.record();
    await writeRoutes(store, { record });
    const { resolver, clock, count } = setup(originKnowing(), { positiveTtlMs: 5_000 });
    await resolver.resolve(hostOf(record));
    clock.advance(5_000);
    expect((await resolver.resolve(hostOf(record))).source).toBe("l1");
    clock.advance(1);
    expect((await resolver.resolve(hostOf(record))).source).toBe("l2");
    resolver.invalidate(hostOf(record));
    expect((await resolver.resolve(hostOf(record))).source).toBe("l2");
    expect(count("l2", "hit")).toBe(3);
  });

  it("caches an unknown host negatively, in L1 briefly and in L2 for a short TTL", async () => {
    const unknown = routes.host("unknown");
    const { resolver, clock, loadFromOrigin, settle } = setup(originKnowing(), { negativeTtlMs: 2_000 });
    expect(await resolver.resolve(unknown)).toEqual({
      entry: NEGATIVE_ROUTE,
      source: "origin",
      stale: false,
    });
    clock.advance(1_999);
    expect((await resolver.resolve(unknown)).source).toBe("l1");
    await settle(); // the L2 refill handed to waitUntil
    const ttl = await redis.ttl(routeKey(unknown));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(30);
    clock.advance(2);
    expect(await resolver.resolve(unknown)).toEqual({ entry: NEGATIVE_ROUTE, source: "l2", stale: false });
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
  });

  it("finds a host the writer made known after it was cached negatively", async () => {
    const custom = routes.host("custom");
    const { resolver, clock, settle } = setup(originKnowing(), { negativeTtlMs: 2_000 });
    expect((await resolver.resolve(custom)).entry).toEqual(NEGATIVE_ROUTE);
    await settle();
    const record = routes.record({ customHost: custom.host });
    await writeRoutes(store, { record });
    clock.advance(2_001);
    expect(await resolver.resolve(custom)).toEqual({ entry: record, source: "l2", stale: false });
  });

  it("does not let its L2 refill overwrite a record the API wrote meanwhile", async () => {
    const old = routes.record();
    const newer = { ...old, ready: false, version: 2 };
    const { resolver, settle } = setup(async () => {
      await writeRoutes(store, { record: newer }); // the API writes while the origin answers
      return old;
    });
    await resolver.resolve(hostOf(old));
    await settle();
    expect(await store.get(routeKey(hostOf(old)))).toEqual(newer);
  });

  it("never replaces a newer record of the same chatbot by an older one found in L2", async () => {
    const newer = routes.record({ version: 5 });
    const { resolver, clock } = setup(originKnowing(newer), { waitUntil: undefined });
    await resolver.resolve(hostOf(newer));
    await store.setMany([{ key: routeKey(hostOf(newer)), entry: { ...newer, version: 4, ready: false } }]);
    clock.advance(5_001);
    expect((await resolver.resolve(hostOf(newer))).entry).toEqual(newer);
  });

  it("falls back to the origin when the Redis endpoint is closed mid-test", async () => {
    const own = await startRealRedis();
    const record = routes.record();
    await writeRoutes(new UpstashRouteStore({ redis: own.redis, timeoutMs: 2_000 }), { record });
    const { resolver, clock, loadFromOrigin, count } = setup(originKnowing(record), {
      store: new UpstashRouteStore({ redis: own.redis, timeoutMs: 150 }),
    });
    expect((await resolver.resolve(hostOf(record))).source).toBe("l2");

    await own.endpoint.close();
    clock.advance(5_001);
    const started = Date.now();
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "origin", stale: false });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(count("l2", "error")).toBe(1);
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
  });

  it("serves a recent stale L1 entry when L2 misses and the origin fails, and reports it as stale", async () => {
    const record = routes.record();
    let originUp = true;
    const { resolver, clock, loadFromOrigin } = setup(
      async (target) => {
        if (!originUp) throw new TypeError("fetch failed");
        return originKnowing(record)(target);
      },
      // No refill, so L2 keeps missing and every L1 expiry reaches the origin.
      { staleRetryMs: 1_000, maxStaleMs: 60_000, waitUntil: undefined },
    );
    await resolver.resolve(hostOf(record));
    originUp = false;
    clock.advance(5_001);
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "l1", stale: true });
    // The stale answer is reused for staleRetryMs instead of hammering a failing origin.
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "l1", stale: true });
    expect(loadFromOrigin).toHaveBeenCalledTimes(2);
    clock.advance(1_001);
    await resolver.resolve(hostOf(record));
    expect(loadFromOrigin).toHaveBeenCalledTimes(3);

    originUp = true;
    clock.advance(1_001);
    expect(await resolver.resolve(hostOf(record))).toEqual({ entry: record, source: "origin", stale: false });
  });

  it("stops serving a stale entry once it is older than maxStaleMs", async () => {
    const record = routes.record();
    let originUp = true;
    const { resolver, clock } = setup(
      async (target) => {
        if (!originUp) throw new TypeError("fetch failed");
        return originKnowing(record)(target);
      },
      { maxStaleMs: 60_000, waitUntil: undefined },
    );
    await resolver.resolve(hostOf(record));
    originUp = false;
    clock.advance(60_001);
    await expect(resolver.resolve(hostOf(record))).rejects.toMatchObject({ code: "BAD_GATEWAY" });
  });

  it("throws a typed error when the origin fails and nothing is cached", async () => {
    const { resolver } = setup(async () => {
      throw new TypeError("fetch failed");
    });
    const error = await resolver.resolve(routes.host()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotgateError);
    expect(error).toMatchObject({ code: "BAD_GATEWAY", status: 502 });
    expect((error as Error).cause).toBeInstanceOf(TypeError);
  });

  it("keeps the origin's own BotgateError code and rejects malformed origin answers", async () => {
    const timedOut = setup(async () => {
      throw new BotgateError("GATEWAY_TIMEOUT", "origin timed out");
    });
    await expect(timedOut.resolver.resolve(routes.host())).rejects.toMatchObject({ code: "GATEWAY_TIMEOUT" });
    const malformed = setup(async () => ({ found: true }) as unknown as RouteEntry);
    await expect(malformed.resolver.resolve(routes.host())).rejects.toMatchObject({
      code: "BAD_GATEWAY",
      message: expect.stringMatching(/malformed/),
    });
  });

  it("fails every waiter of a collapsed lookup with the same typed error, then retries", async () => {
    const record = routes.record();
    let originUp = false;
    const { resolver, loadFromOrigin } = setup(async (target) => {
      if (!originUp) throw new TypeError("fetch failed");
      return originKnowing(record)(target);
    });
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, () => resolver.resolve(hostOf(record))),
    );
    expect(results.every((r) => r.status === "rejected" && r.reason.code === "BAD_GATEWAY")).toBe(true);
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
    originUp = true;
    expect((await resolver.resolve(hostOf(record))).entry).toEqual(record);
  });

  it("still answers the waiters of a lookup invalidated mid-flight, without caching that answer", async () => {
    const record = routes.record();
    let release = () => {};
    const { resolver, loadFromOrigin } = setup(
      async (target) => {
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return originKnowing(record)(target);
      },
      { waitUntil: undefined },
    );
    const waiting = resolver.resolve(hostOf(record));
    await vi.waitFor(() => expect(loadFromOrigin).toHaveBeenCalledTimes(1));
    resolver.invalidate(hostOf(record));
    release();
    expect((await waiting).entry).toEqual(record);
    const again = resolver.resolve(hostOf(record));
    await vi.waitFor(() => expect(loadFromOrigin).toHaveBeenCalledTimes(2));
    release();
    expect((await again).source).toBe("origin");
  });

  it("works without an L2 at all", async () => {
    const record = routes.record();
    const { resolver, count } = setup(originKnowing(record), { store: undefined });
    expect((await resolver.resolve({ kind: "id", id: record.chatbotId })).source).toBe("origin");
    expect(count("l2")).toBe(0);
  });

  it("asks admitOriginLookup only before origin lookups, with the caller, and never caches a refusal", async () => {
    const inRedis = routes.record();
    await writeRoutes(store, { record: inRedis });
    const admitted: (string | undefined)[] = [];
    let refuse = false;
    const { resolver, loadFromOrigin, count } = setup(originKnowing(), {
      admitOriginLookup: async (_target, caller) => {
        admitted.push(caller);
        if (refuse) throw new BotgateError("RATE_LIMITED", "slow down");
      },
    });
    // An L2 hit, then an L1 hit: the limiter is never asked.
    await resolver.resolve(hostOf(inRedis), { caller: "a" });
    await resolver.resolve(hostOf(inRedis), { caller: "a" });
    expect(admitted).toEqual([]);

    const unknown: RouteTarget = { kind: "host", host: `nobody-${routes.record().defaultHost}` };
    refuse = true;
    await expect(resolver.resolve(unknown, { caller: "b" })).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(loadFromOrigin).not.toHaveBeenCalled();
    expect(count("origin", "refused")).toBe(1);
    refuse = false;
    expect((await resolver.resolve(unknown, { caller: "c" })).entry).toEqual(NEGATIVE_ROUTE);
    expect(admitted).toEqual(["b", "c"]);
    expect(loadFromOrigin).toHaveBeenCalledTimes(1);
  });

  it("works out a caller given as a function only when a lookup reaches admitOriginLookup", async () => {
    const inRedis = routes.record();
    await writeRoutes(store, { record: inRedis });
    const admitted: (string | undefined)[] = [];
    const { resolver } = setup(originKnowing(), {
      admitOriginLookup: async (_target, caller) => {
        admitted.push(caller);
      },
    });
    const caller = vi.fn(() => "203.0.113.7");
    // An L2 hit, then an L1 hit: nobody needs to know who asked.
    await resolver.resolve(hostOf(inRedis), { caller });
    await resolver.resolve(hostOf(inRedis), { caller });
    expect(caller).not.toHaveBeenCalled();

    const unknown: RouteTarget = { kind: "host", host: `nobody-${routes.record().defaultHost}` };
    await resolver.resolve(unknown, { caller });
    expect(caller).toHaveBeenCalledTimes(1);
    expect(admitted).toEqual(["203.0.113.7"]);
  });

  it("does not ask admitOriginLookup again for a found route whose L1 entry expired", async () => {
    const record = routes.record();
    const admitted: (string | undefined)[] = [];
    const { resolver, clock, loadFromOrigin } = setup(originKnowing(record), {
      waitUntil: undefined,
      // Admits the first lookup only.
      admitOriginLookup: async (_target, caller) => {
        admitted.push(caller);
        if (admitted.length > 1) throw new BotgateError("RATE_LIMITED", "slow down");
      },
    });
    await resolver.resolve(hostOf(record), { caller: "a" });
    clock.advance(10_000);
    // L1 expired, L2 misses (no refill here): refreshed from the origin, never refused.
    expect((await resolver.resolve(hostOf(record), { caller: "a" })).source).toBe("origin");
    expect(admitted).toEqual(["a"]);
    expect(loadFromOrigin).toHaveBeenCalledTimes(2);
  });
});
