// One contract for both DomainSetStore implementations, the Upstash one against the real Redis.
import { randomUUID } from "node:crypto";
import { verifiedDomainsKey } from "@botgate/core";
import type { RunningUpstashRest } from "@botgate/upstash-rest";
import type { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DomainSetStore, MemoryDomainSetStore, UpstashDomainSetStore } from "../src/index.ts";
import { startRealRedis } from "./helpers.ts";

let endpoint: RunningUpstashRest;
let redis: Redis;
const scopes: string[] = [];

beforeAll(async () => {
  ({ endpoint, redis } = await startRealRedis());
});
afterAll(async () => {
  if (scopes.length > 0) await redis.del(...scopes.map(verifiedDomainsKey));
  await endpoint.close();
});

function scoped(): string {
  const scope = randomUUID();
  scopes.push(scope);
  return scope;
}

const implementations: [string, () => DomainSetStore][] = [
  [
    "UpstashDomainSetStore (real Redis)",
    () => new UpstashDomainSetStore({ redis, timeoutMs: 2_000, scope: scoped() }),
  ],
  ["MemoryDomainSetStore", () => new MemoryDomainSetStore()],
];

describe.each(implementations)("%s", (_name, makeStore) => {
  it("misses until set, answers the set, and misses again once invalidated", async () => {
    const store = makeStore();
    expect(await store.get()).toBeNull();
    await store.set(["a.example.com", "b.example.com"], 60);
    expect(await store.get()).toEqual(["a.example.com", "b.example.com"]);
    await store.set([], 60);
    expect(await store.get()).toEqual([]);
    await store.invalidate();
    expect(await store.get()).toBeNull();
  });
});

describe("UpstashDomainSetStore", () => {
  it("keeps its value under the shared key builder's key, and treats malformed data as a miss", async () => {
    const scope = scoped();
    const store = new UpstashDomainSetStore({ redis, timeoutMs: 2_000, scope });
    await store.set(["shop.example.com"], 60);
    expect(await redis.get(verifiedDomainsKey(scope))).toEqual(["shop.example.com"]);
    await redis.set(verifiedDomainsKey(scope), JSON.stringify([1, 2]));
    expect(await store.get()).toBeNull();
    await redis.set(verifiedDomainsKey(scope), "not json");
    expect(await store.get()).toBeNull();
  });
});
