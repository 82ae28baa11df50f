// The API's write-through, against the real Redis through the local Upstash endpoint.
import { NEGATIVE_ROUTE, type RouteTarget, routeKey } from "@botgate/core";
import type { RunningUpstashRest } from "@botgate/upstash-rest";
import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_TTL, routeTargetsOf, UpstashRouteStore, writeRoutes } from "../src/index.ts";
import { startRealRedis, TestRoutes } from "./helpers.ts";

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

const read = (target: RouteTarget) => store.get(routeKey(target));

describe("writeRoutes", () => {
  it("writes the record under its id, its default host and its verified custom host", async () => {
    const record = routes.record({ customHost: routes.host("custom").host });
    const { written, tombstoned } = await writeRoutes(store, { record });
    expect(written).toEqual(routeTargetsOf(record).map(routeKey));
    expect(written).toHaveLength(3);
    expect(tombstoned).toEqual([]);
    for (const target of routeTargetsOf(record)) expect(await read(target)).toEqual(record);
    const ttl = await redis.ttl(routeKey({ kind: "host", host: record.defaultHost }));
    expect(ttl).toBeGreaterThan(ROUTE_TTL.writeThroughSeconds - 10);
  });

  it("leaves out the custom host while the domain is not verified", () => {
    const record = routes.record();
    expect(routeTargetsOf(record)).toEqual([
      { kind: "id", id: record.chatbotId },
      { kind: "host", host: record.defaultHost },
    ]);
  });

  it("publishes an undeployed chatbot under its id only: its hosts do not route", () => {
    const record = routes.record({ deployed: false, ready: false, customHost: routes.host("custom").host });
    expect(routeTargetsOf(record)).toEqual([{ kind: "id", id: record.chatbotId }]);
  });

  it("tombstones the old default host after a rename and keeps the id route", async () => {
    const before = routes.record();
    await writeRoutes(store, { record: before });
    const after = { ...before, defaultHost: routes.host("renamed").host, version: 2 };
    const oldHost: RouteTarget = { kind: "host", host: before.defaultHost };
    const { tombstoned } = await writeRoutes(store, { record: after, stale: [oldHost] });
    expect(tombstoned).toEqual([routeKey(oldHost)]);
    expect(await read(oldHost)).toEqual(NEGATIVE_ROUTE);
    const ttl = await redis.ttl(routeKey(oldHost));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ROUTE_TTL.tombstoneSeconds);
    expect(await read({ kind: "host", host: after.defaultHost })).toEqual(after);
    expect(await read({ kind: "id", id: after.chatbotId })).toEqual(after);
  });

  it("tombstones a removed custom domain", async () => {
    const custom: RouteTarget = { kind: "host", host: routes.host("custom").host };
    const record = routes.record({ customHost: custom.host });
    await writeRoutes(store, { record });
    await writeRoutes(store, { record: { ...record, customHost: null, version: 2 }, stale: [custom] });
    expect(await read(custom)).toEqual(NEGATIVE_ROUTE);
  });

  it("replaces a negative entry cached for a host that has just become known", async () => {
    const custom = routes.host("newly-verified");
    await store.setMany([
      { key: routeKey(custom), entry: NEGATIVE_ROUTE, ttlSeconds: ROUTE_TTL.negativeSeconds },
    ]);
    const record = routes.record({ customHost: custom.host });
    await writeRoutes(store, { record });
    expect(await read(custom)).toEqual(record);
    expect(await redis.ttl(routeKey(custom))).toBeGreaterThan(ROUTE_TTL.negativeSeconds);
  });

  it("keeps a refill that raced the change from bringing a stale route back", async () => {
    const record = routes.record();
    const host: RouteTarget = { kind: "host", host: record.defaultHost };
    await writeRoutes(store, { record });
    // Undeploy: the hosts stop routing.
    await writeRoutes(store, {
      record: { ...record, deployed: false, ready: false, version: 2 },
      stale: [host],
    });
    // An origin that read the database just before the undeploy now refills, as refills do: SET NX.
    await store.setMany([
      { key: routeKey(host), entry: record, ttlSeconds: ROUTE_TTL.refillSeconds, ifAbsent: true },
    ]);
    expect(await read(host)).toEqual(NEGATIVE_ROUTE);
  });

  it("tombstones every route of a deleted chatbot", async () => {
    const record = routes.record({ customHost: routes.host("custom").host });
    await writeRoutes(store, { record });
    const { written, tombstoned } = await writeRoutes(store, { record: null, stale: routeTargetsOf(record) });
    expect(written).toEqual([]);
    expect(tombstoned).toHaveLength(3);
    for (const target of routeTargetsOf(record)) expect(await read(target)).toEqual(NEGATIVE_ROUTE);
  });

  it("never tombstones a target the record still answers on, even if listed as stale", async () => {
    const record = routes.record();
    const host: RouteTarget = { kind: "host", host: record.defaultHost };
    const { tombstoned } = await writeRoutes(store, { record, stale: [host, host] });
    expect(tombstoned).toEqual([]);
    expect(await read(host)).toEqual(record);
  });
});
