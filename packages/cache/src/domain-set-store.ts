// The cached set of verified custom domains, under verifiedDomainsKey() in the routing
// cache's Redis (or in memory for the embedded default). Readers fill it after a miss; the API
// deletes it on every change of a domain's verification, so the next read refills it.
import { parseDomainList, verifiedDomainsKey } from "@botgate/core";
import type { UpstashRedisLike } from "./upstash-route-store.ts";
import { withTimeout } from "./with-timeout.ts";

export interface DomainSetStore {
  /** null is a miss (or a malformed value, never trusted). */
  get(): Promise<string[] | null>;
  set(domains: readonly string[], ttlSeconds: number): Promise<void>;
  invalidate(): Promise<void>;
}

function decode(raw: unknown): string[] | null {
  if (typeof raw !== "string") return parseDomainList(raw);
  try {
    return parseDomainList(JSON.parse(raw));
  } catch {
    return null;
  }
}

export class MemoryDomainSetStore implements DomainSetStore {
  #value: { json: string; expiresAt: number } | null = null;

  async get(): Promise<string[] | null> {
    if (this.#value === null || this.#value.expiresAt <= Date.now()) return null;
    return decode(this.#value.json);
  }

  async set(domains: readonly string[], ttlSeconds: number): Promise<void> {
    this.#value = { json: JSON.stringify(domains), expiresAt: Date.now() + ttlSeconds * 1000 };
  }

  async invalidate(): Promise<void> {
    this.#value = null;
  }
}

export class UpstashDomainSetStore implements DomainSetStore {
  readonly #redis: UpstashRedisLike;
  readonly #timeoutMs: number;
  readonly #key: string;

  constructor({
    redis,
    timeoutMs = 150,
    scope,
  }: { redis: UpstashRedisLike; timeoutMs?: number; scope?: string }) {
    this.#redis = redis;
    this.#timeoutMs = timeoutMs;
    this.#key = verifiedDomainsKey(scope);
  }

  get(): Promise<string[] | null> {
    return withTimeout("get", this.#timeoutMs, async () => decode(await this.#redis.get<unknown>(this.#key)));
  }

  async set(domains: readonly string[], ttlSeconds: number): Promise<void> {
    await withTimeout("set", this.#timeoutMs, () => {
      const pipeline = this.#redis.pipeline();
      pipeline.set(this.#key, JSON.stringify(domains), { ex: Math.max(1, Math.ceil(ttlSeconds)) });
      return pipeline.exec();
    });
  }

  async invalidate(): Promise<void> {
    await withTimeout("delete", this.#timeoutMs, () => this.#redis.del(this.#key));
  }
}
