import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import { type RunningUpstashRest, startUpstashRest } from "../src/index.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** A key prefix of its own per test file run, so parallel runs never share keys. */
export const uniquePrefix = (): string => `test:upstash-rest:${randomUUID()}:`;

/** A loopback port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export interface EndpointFixture {
  /** The endpoint, once beforeAll ran. */
  endpoint: RunningUpstashRest;
  /** The real @upstash/redis client, talking to the endpoint. */
  redis: Redis;
  /** A direct Redis connection, to look behind the endpoint. */
  inspect: IORedis;
}

/**
 * Starts an endpoint for the test file (beforeAll) and, after it, deletes every key under
 * `prefix` and stops the endpoint (afterAll).
 */
export function useEndpoint(prefix: string, token: string): EndpointFixture {
  const fixture = { inspect: new IORedis(REDIS_URL, { lazyConnect: true }) } as EndpointFixture;
  beforeAll(async () => {
    await fixture.inspect.connect();
    fixture.endpoint = await startUpstashRest({ redisUrl: REDIS_URL, token });
    fixture.redis = new Redis({
      url: fixture.endpoint.url,
      token: fixture.endpoint.token,
      enableTelemetry: false,
    });
  });
  afterAll(async () => {
    const keys = await fixture.inspect.keys(`${prefix}*`);
    if (keys.length > 0) await fixture.inspect.del(...keys);
    fixture.inspect.disconnect();
    await fixture.endpoint.close();
  });
  return fixture;
}
