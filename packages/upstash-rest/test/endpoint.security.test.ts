// The development endpoint is not a door into the machine's Redis: only the product's commands
// run (no FLUSHALL, CONFIG, KEYS, arbitrary Lua), the token travels only in the Authorization
// header, and a web page of another site cannot drive it.
import { createHash } from "node:crypto";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningUpstashRest, startUpstashRest } from "../src/index.ts";
import { REDIS_URL, uniquePrefix } from "./helpers.ts";

const prefix = uniquePrefix();
const canary = `${prefix}canary`;
let endpoint: RunningUpstashRest;
let redis: Redis;
const inspect = new IORedis(REDIS_URL, { lazyConnect: true });

beforeAll(async () => {
  await inspect.connect();
  await inspect.set(canary, "still here");
  endpoint = await startUpstashRest({ redisUrl: REDIS_URL, token: "security-token" });
  redis = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
});

afterAll(async () => {
  const keys = await inspect.keys(`${prefix}*`);
  if (keys.length > 0) await inspect.del(...keys);
  inspect.disconnect();
  await endpoint.close();
});

const NOT_ALLOWED = /ERR command '[\w|]+' is not allowed on this endpoint/;

describe("commands outside the product's allowlist", () => {
  it("refuses FLUSHALL, FLUSHDB, CONFIG, KEYS, SCAN, INFO, DEBUG and SCRIPT through the official client", async () => {
    const attempts: [string, () => Promise<unknown>][] = [
      ["flushall", () => redis.flushall()],
      ["flushdb", () => redis.flushdb()],
      ["config", () => redis.exec(["CONFIG", "SET", "dir", "/tmp"])],
      ["keys", () => redis.keys("*")],
      ["scan", () => redis.scan(0)],
      ["info", () => redis.exec(["INFO"])],
      ["debug", () => redis.exec(["DEBUG", "SLEEP", "0"])],
      ["script", () => redis.scriptLoad("return 1")],
      ["hset", () => redis.hset(`${prefix}h`, { f: "v" })],
    ];
    for (const [name, attempt] of attempts) {
      await expect(attempt(), name).rejects.toThrow(NOT_ALLOWED);
    }
    expect(await inspect.get(canary)).toBe("still here");
    expect(await inspect.exists(`${prefix}h`)).toBe(0);
  });

  it("answers a refused command with 403 and Upstash's error shape", async () => {
    const res = await fetch(endpoint.url, {
      method: "POST",
      headers: { authorization: `Bearer ${endpoint.token}` },
      body: JSON.stringify(["FLUSHALL"]),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: "ERR command 'flushall' is not allowed on this endpoint" });
  });

  it("refuses them inside pipelines and transactions too, discarding the whole transaction", async () => {
    await expect(redis.pipeline().set(`${prefix}p`, 1).flushall().exec()).rejects.toThrow(NOT_ALLOWED);
    expect(await inspect.get(`${prefix}p`)).toBe("1");
    await expect(redis.multi().set(`${prefix}m`, 1).flushall().exec()).rejects.toThrow(NOT_ALLOWED);
    expect(await inspect.exists(`${prefix}m`)).toBe(0);
    expect(await inspect.get(canary)).toBe("still here");
  });

  it("refuses path-style commands the same way", async () => {
    const res = await fetch(`${endpoint.url}/flushall`, {
      headers: { authorization: `Bearer ${endpoint.token}` },
    });
    expect(res.status).toBe(403);
    expect(await inspect.get(canary)).toBe("still here");
  });
});

describe("Lua scripts", () => {
  const wipe = "redis.call('FLUSHALL') return 1";

  it("refuses EVAL of any script but @upstash/ratelimit's own", async () => {
    for (const script of [wipe, `return redis.call('GET', KEYS[1])`, "return 1"]) {
      await expect(redis.eval(script, [canary], [])).rejects.toThrow(
        /only @upstash\/ratelimit's own scripts/,
      );
    }
    expect(await inspect.get(canary)).toBe("still here");
  });

  it("refuses EVALSHA of a script Redis knows but the endpoint does not", async () => {
    const sha = await inspect.script("LOAD", wipe);
    expect(sha).toBe(createHash("sha1").update(wipe).digest("hex"));
    await expect(redis.evalsha(String(sha), [], [])).rejects.toThrow(
      /only @upstash\/ratelimit's own scripts/,
    );
    await expect(redis.pipeline().evalsha(String(sha), [], []).exec()).rejects.toThrow(/only @upstash/);
    expect(await inspect.get(canary)).toBe("still here");
  });
});

describe("a web page on another site", () => {
  const evil = "https://attacker.example";

  it("cannot pass the token in the query string, with or without an Origin", async () => {
    for (const headers of [{ origin: evil }, {}] as Record<string, string>[]) {
      const res = await fetch(`${endpoint.url}/get/${encodeURIComponent(canary)}?_token=${endpoint.token}`, {
        headers,
      });
      expect([401, 403]).toContain(res.status);
      expect(await res.json()).not.toHaveProperty("result");
    }
  });

  it("is refused even with the right token, and gets no CORS allowance", async () => {
    for (const origin of [evil, "null", "http://support.1234567.api.local.botgate.localhost:8787"]) {
      const res = await fetch(endpoint.url, {
        method: "POST",
        headers: { authorization: `Bearer ${endpoint.token}`, origin },
        body: JSON.stringify(["GET", canary]),
      });
      expect(res.status, origin).toBe(403);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/other sites are refused/) });
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    const preflight = await fetch(endpoint.url, {
      method: "OPTIONS",
      headers: {
        origin: evil,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.ok).toBe(false);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("leaves loopback pages and clients that send no Origin (Node, workerd) working", async () => {
    const origins: Record<string, string>[] = [
      { origin: "http://127.0.0.1:8787" },
      { origin: "http://localhost:3000" },
      {},
    ];
    for (const headers of origins) {
      const res = await fetch(endpoint.url, {
        method: "POST",
        headers: { authorization: `Bearer ${endpoint.token}`, ...headers },
        body: JSON.stringify(["GET", canary]),
      });
      expect(await res.json()).toEqual({ result: "still here" });
    }
  });
});
