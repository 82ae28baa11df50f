import { randomInt, randomUUID } from "node:crypto";
import { type RouteRecord, type RouteTarget, routeKey } from "@botgate/core";
import { type RunningUpstashRest, startUpstashRest, TEST_COMMANDS } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** Every host and id a test file uses is unique to its run, and remembered for cleanup. */
export class TestRoutes {
  readonly #run = randomUUID().slice(0, 8);
  readonly #keys = new Set<string>();
  #nextId = randomInt(1_000_000, 2 ** 40);

  host(label = "bot"): RouteTarget & { kind: "host" } {
    return this.#track({ kind: "host", host: `${label}-${this.#keys.size}.${this.#run}.example.test` });
  }

  id(): RouteTarget & { kind: "id" } {
    return this.#track({ kind: "id", id: this.#nextId++ });
  }

  record(overrides: Partial<RouteRecord> = {}): RouteRecord {
    const chatbotId = overrides.chatbotId ?? this.id().id;
    this.#track({ kind: "id", id: chatbotId });
    const record: RouteRecord = {
      found: true,
      chatbotId,
      hashedId: `h${chatbotId.toString(36)}`,
      accountNumber: "1234-5678-9012",
      defaultHost: overrides.defaultHost ?? this.host().host,
      customHost: null,
      deployed: true,
      ready: true,
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
      apiKeyRequired: false,
      embedOrigins: [],
      version: 1,
      ...overrides,
    };
    if (record.customHost !== null) this.#track({ kind: "host", host: record.customHost });
    this.#track({ kind: "host", host: record.defaultHost });
    return record;
  }

  get keys(): string[] {
    return [...this.#keys];
  }

  #track<T extends RouteTarget>(target: T): T {
    this.#keys.add(routeKey(target));
    return target;
  }
}

/** A real Redis behind the local Upstash REST endpoint, and the official client on it. */
export async function startRealRedis(): Promise<{ endpoint: RunningUpstashRest; redis: Redis }> {
  const endpoint = await startUpstashRest({
    redisUrl: REDIS_URL,
    token: `cache-test-${randomUUID()}`,
    commands: TEST_COMMANDS,
  });
  return { endpoint, redis: new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false }) };
}

/** A clock for lru-cache's `perf` option; starts far from 0 (lru-cache reads start 0 as "no TTL"). */
export class FakeClock {
  #now = 1_000_000;
  readonly now = (): number => this.#now;
  advance(ms: number): void {
    this.#now += ms;
  }
}
