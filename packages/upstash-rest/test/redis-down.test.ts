// Redis unreachable: callers get a clear 5xx at once, and the endpoint recovers on its own.
import { type ChildProcess, spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { Redis } from "@upstash/redis";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningUpstashRest, startUpstashRest, TEST_COMMANDS } from "../src/index.ts";
import { closedPort } from "./helpers.ts";

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function endpointWithoutRedis(): Promise<{ endpoint: RunningUpstashRest; port: number }> {
  const port = await closedPort();
  const endpoint = await startUpstashRest({
    redisUrl: `redis://127.0.0.1:${port}`,
    token: "t",
    commands: TEST_COMMANDS,
  });
  cleanups.push(() => endpoint.close());
  return { endpoint, port };
}

const post = (endpoint: RunningUpstashRest, path: string, body: unknown) =>
  fetch(`${endpoint.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${endpoint.token}` },
    body: JSON.stringify(body),
  });

describe("when Redis is unreachable", () => {
  it("answers 503 JSON naming the cause, quickly, for commands, pipelines and transactions", async () => {
    const { endpoint } = await endpointWithoutRedis();
    const started = Date.now();
    for (const [path, body] of [
      ["/", ["GET", "k"]],
      ["/pipeline", [["GET", "k"]]],
      ["/multi-exec", [["GET", "k"]]],
    ] as const) {
      const res = await post(endpoint, path, body);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ error: expect.stringMatching(/^ERR redis unavailable/) });
    }
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("makes the official client throw instead of hanging", async () => {
    const { endpoint } = await endpointWithoutRedis();
    const client = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
    await expect(client.get("k")).rejects.toThrow(/redis unavailable/);
  });

  // Starts a second redis-server of its own (the machine has the binary: scripts/services.mjs relies on it too).
  it("recovers by itself once Redis comes up", { timeout: 15_000 }, async () => {
    const { endpoint, port } = await endpointWithoutRedis();
    expect((await post(endpoint, "/", ["PING"])).status).toBe(503);

    const redisServer: ChildProcess = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", tmpdir()],
      { stdio: "ignore" },
    );
    cleanups.push(() => {
      redisServer.kill();
    });

    const client = new Redis({ url: endpoint.url, token: endpoint.token, enableTelemetry: false });
    await expect
      .poll(() => client.ping().catch((e: Error) => e.message), { timeout: 10_000, interval: 200 })
      .toBe("PONG");
  });
});
