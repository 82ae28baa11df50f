// Chat rate limits (issue 10 point 7), counted at the origin with @upstash/ratelimit in the real
// Redis over the API's own connection (REDIS_URL), as production runs them. Requests come as the
// edge forwards them (signed, with the client address it saw) or as direct calls. Every test
// has chatbots and client addresses of its own and a window far longer than any test, so each
// bound is exact. Origins with other settings (another process, a Redis that is down or slow)
// are the same API over the same database, served with a runtime of their own.
import type { AddressInfo } from "node:net";
import { formatResetDuration } from "@botgate/limits";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import type { Env } from "../src/env.ts";
import { serveApp } from "../src/http-server.ts";
import type { Runtime } from "../src/runtime.ts";
import {
  createAccount,
  deployAndWait,
  forwardAsEdge,
  REDIS_URL,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let owner: TestUser;
const opened: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startTestServer({
    env: {
      REDIS_URL,
      // Platform defaults far above what any test sends: only the chatbots' own limits bind.
      RATE_LIMIT_REQUESTS: "100000",
      RATE_LIMIT_CLIENT_REQUESTS: "100000",
      RATE_LIMIT_WINDOW_S: "3600",
      // A loaded machine must not turn a slow count into a failed one.
      RATE_LIMIT_TIMEOUT_MS: "5000",
    },
  });
  owner = await createAccount(server);
});
afterAll(async () => {
  for (const close of opened) await close();
  await server?.close();
});

/** The same API, database and nonces, served with another runtime: another process's limiter. */
async function originWith(changes: {
  env?: Partial<Env>;
  rateLimitRedis?: Redis | null;
}): Promise<TestServer> {
  const runtime: Runtime = {
    ...server.runtime,
    env: { ...server.runtime.env, ...changes.env },
    ...(changes.rateLimitRedis !== undefined && { rateLimitRedis: changes.rateLimitRedis }),
  };
  const app = createApp(runtime);
  const http = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
    const s = serveApp({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const close = () => new Promise<void>((resolve) => http.close(() => resolve()));
  opened.push(close);
  return { ...server, runtime, url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`, close };
}

const randomByte = () => crypto.getRandomValues(new Uint8Array(1))[0] ?? 0;
/** A documentation-prefix IPv4 address (TEST-NET-3), random per call. */
const randomIp = () => `203.0.${randomByte()}.${randomByte()}`;

interface Bot {
  id: number;
  hashedId: string;
}

async function limitedBot(limits: {
  rateLimitRequests?: number;
  rateLimitClientRequests?: number;
}): Promise<Bot> {
  const created = await owner.client.chatbot.create.mutate({
    name: `limited${Date.now().toString(36)}${randomByte()}`,
    rateLimitWindowSeconds: 3600,
    ...limits,
  });
  await deployAndWait(owner.client, created.id);
  return created;
}

function chat(
  bot: Bot,
  clientIp: string,
  {
    headers = {},
    origin = server,
    action = "chat/",
  }: { headers?: Record<string, string>; origin?: TestServer; action?: string } = {},
): Promise<Response> {
  return forwardAsEdge(origin, {
    chatbot: bot,
    accountNumber: owner.accountNumber,
    action,
    body: { messages: [{ role: "user", content: "hello" }] },
    headers,
    clientIp,
  });
}

const limitHeaders = (response: Response) => ({
  limit: response.headers.get("x-ratelimit-limit-requests"),
  remaining: response.headers.get("x-ratelimit-remaining-requests"),
  reset: response.headers.get("x-ratelimit-reset-requests"),
});

async function statuses(calls: number, call: () => Promise<Response>): Promise<number[]> {
  const seen = [];
  for (let i = 0; i < calls; i++) {
    const response = await call();
    await response.body?.cancel();
    seen.push(response.status);
  }
  return seen;
}

async function expectRateLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get("retry-after"));
  const retryAfterMs = Number(response.headers.get("retry-after-ms"));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(Math.ceil(retryAfterMs / 1000)).toBe(retryAfter);
  expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  const body = (await response.json()) as {
    error: { code: string; details?: { retryAfterSeconds?: number } };
  };
  expect(body.error.code).toBe("RATE_LIMITED");
  expect(body.error.details?.retryAfterSeconds).toBe(retryAfter);
}

describe("chat rate limits", () => {
  it("report limit, remaining and reset on every chat response, counting down", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 5 });
    const ip = randomIp();
    const seen = [];
    for (let i = 0; i < 3; i++) {
      const response = await chat(bot, ip);
      expect(response.status).toBe(200);
      seen.push(limitHeaders(response));
    }
    expect(seen.map((h) => [h.limit, h.remaining])).toEqual([
      ["5", "4"],
      ["5", "3"],
      ["5", "2"],
    ]);
    for (const { reset } of seen) expect(reset).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
  });

  it("answer 429 RATE_LIMITED with retry-after once a client's budget is spent, and not to other clients", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 3 });
    const ip = randomIp();
    expect(await statuses(5, () => chat(bot, ip))).toEqual([200, 200, 200, 429, 429]);
    await expectRateLimited(await chat(bot, ip));
    const other = await chat(bot, randomIp());
    expect(other.status).toBe(200);
    expect(limitHeaders(other).remaining).toBe("2");
  });

  it("count an IPv6 client by its /64", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const prefix = `2001:db8:${randomByte().toString(16)}:${randomByte().toString(16)}`;
    expect((await chat(bot, `${prefix}::1`)).status).toBe(200);
    expect((await chat(bot, `${prefix}:ffff:1:2:3`)).status).toBe(200);
    await expectRateLimited(await chat(bot, `${prefix}::abcd`));
  });

  it("count a chatbot's budget over all its clients, and only for requests the client budgets admit", async () => {
    const bot = await limitedBot({ rateLimitRequests: 4, rateLimitClientRequests: 2 });
    const noisy = randomIp();
    expect(await statuses(6, () => chat(bot, noisy))).toEqual([200, 200, 429, 429, 429, 429]);
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await chat(bot, randomIp()));
    expect(others.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(limitHeaders(others[2] as Response).limit).toBe("4");
  });

  it("count each API key on its own, whatever addresses it comes from", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 3 });
    const keyA = (await owner.client.apiKey.create.mutate({ chatbotId: bot.id })).key;
    const keyB = (await owner.client.apiKey.create.mutate({ chatbotId: bot.id })).key;
    let i = 0;
    const withKeyA = () => {
      const headers: Record<string, string> =
        i++ % 2 ? { authorization: `Bearer ${keyA}` } : { "x-api-key": keyA };
      return chat(bot, randomIp(), { headers });
    };
    expect(await statuses(5, withKeyA)).toEqual([200, 200, 200, 429, 429]);
    const b = await chat(bot, randomIp(), { headers: { authorization: `Bearer ${keyB}` } });
    expect(b.status).toBe(200);
    expect(limitHeaders(b).remaining).toBe("2");
  });

  it("count requests on public hosts before their key is checked, so guessing keys is bounded", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    await owner.client.apiKey.create.mutate({ chatbotId: bot.id });
    const ip = randomIp();
    const guess = () => chat(bot, ip, { headers: { "x-api-key": `bgk_guess${randomByte()}` } });
    expect(await statuses(4, guess)).toEqual([403, 403, 429, 429]);
  });

  it("refuse a request without the key a chatbot requires first, uncounted", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const { key } = await owner.client.apiKey.create.mutate({ chatbotId: bot.id });
    const ip = randomIp();
    expect(await statuses(4, () => chat(bot, ip))).toEqual([401, 401, 401, 401]);
    const admitted = await chat(bot, ip, { headers: { authorization: `Bearer ${key}` } });
    expect(admitted.status).toBe(200);
    expect(limitHeaders(admitted).remaining).toBe("1");
  });

  it("count in the sandbox only what it admits: an outsider neither spends the budget nor learns the id exists", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const direct = (token: string) =>
      fetch(`${server.url}/api/v1/chatbots/${bot.hashedId}/chat/`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
      });
    const outsider = await createAccount(server, "outsider");
    expect(await statuses(4, () => direct(outsider.token))).toEqual([404, 404, 404, 404]);
    const first = await direct(owner.token);
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: "2", remaining: "1" });
  });

  it("admit no more than the limit out of a burst of 50 concurrent requests", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 10 });
    const ip = randomIp();
    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(bot, ip)));
    const seen = responses.map((r) => r.status);
    expect(seen.filter((s) => s === 200)).toHaveLength(10);
    expect(seen.filter((s) => s === 429)).toHaveLength(40);
    await Promise.all(responses.map((r) => r.body?.cancel()));
  });

  it("count one client across origin processes, in Redis", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const ip = randomIp();
    const elsewhere = await originWith({});
    expect((await chat(bot, ip)).status).toBe(200);
    expect((await chat(bot, ip, { origin: elsewhere })).status).toBe(200);
    await expectRateLimited(await chat(bot, ip));
    await expectRateLimited(await chat(bot, ip, { origin: elsewhere }));
  });

  it("follow a chatbot's new limit from the very next request", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    expect(limitHeaders(await chat(bot, randomIp())).limit).toBe("2");
    await owner.client.chatbot.update.mutate({ id: bot.id, rateLimitClientRequests: 7 });
    expect(limitHeaders(await chat(bot, randomIp())).limit).toBe("7");
    await owner.client.chatbot.update.mutate({ id: bot.id, rateLimitClientRequests: null });
    expect(limitHeaders(await chat(bot, randomIp())).limit).toBe("100000");
  });

  it("limit /v1/chat/completions too, refusing with OpenAI's error object and its headers", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const ip = randomIp();
    const first = await chat(bot, ip, { action: "v1/chat/completions" });
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: "1", remaining: "0" });
    await first.body?.cancel();
    const refused = await chat(bot, ip, { action: "v1/chat/completions" });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-should-retry")).toBe("true");
    expect(Math.ceil(Number(refused.headers.get("retry-after-ms")) / 1000)).toBe(
      Number(refused.headers.get("retry-after")),
    );
    expect(limitHeaders(refused)).toMatchObject({ limit: "1", remaining: "0" });
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limited" } });
  });

  it("count streamed answers, whose headers are sent before the stream", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const ip = randomIp();
    const stream = () =>
      forwardAsEdge(server, {
        chatbot: bot,
        accountNumber: owner.accountNumber,
        action: "v1/chat/completions",
        body: { stream: true, messages: [{ role: "user", content: "hello" }] },
        clientIp: ip,
      });
    const first = await stream();
    expect(first.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(limitHeaders(first)).toMatchObject({ limit: "1", remaining: "0" });
    expect(await first.text()).toContain("data: [DONE]");
    expect((await stream()).status).toBe(429);
  });

  it("do not count /config/ or /v1/models", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      for (const [action, method] of [
        ["config/", "GET"],
        ["v1/models", "GET"],
      ] as const) {
        const response = await forwardAsEdge(server, {
          chatbot: bot,
          accountNumber: owner.accountNumber,
          action,
          method,
          clientIp: ip,
        });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
        await response.body?.cancel();
      }
    }
    expect((await chat(bot, ip)).status).toBe(200);
  });
});

describe("chat rate limits without a working Redis", () => {
  /** An @upstash/redis client whose endpoint refuses connections. */
  const downRedis = () => new Redis({ url: "http://127.0.0.1:9", token: "t", retry: false });

  it("hold per process when no Redis is configured", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const origin = await originWith({ rateLimitRedis: null });
    const ip = randomIp();
    expect(await statuses(3, () => chat(bot, ip, { origin }))).toEqual([200, 200, 429]);
  });

  it("admit while Redis is down when failing open, with the configured limit in the headers", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const origin = await originWith({ rateLimitRedis: downRedis(), env: { RATE_LIMIT_ON_FAILURE: "open" } });
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      const response = await chat(bot, ip, { origin });
      expect(response.status).toBe(200);
      expect(limitHeaders(response)).toMatchObject({ limit: "1", remaining: "1" });
    }
  });

  it("refuse with 503 and retry-after while Redis is down when failing closed", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 100 });
    const origin = await originWith({
      rateLimitRedis: downRedis(),
      env: { RATE_LIMIT_ON_FAILURE: "closed" },
    });
    const response = await chat(bot, randomIp(), { origin });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
  });

  it("decide within the timeout while Redis is slow, open or closed", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 100 });
    // An "Upstash" that answers after 2 s; the limiter gives up after 100 ms (twice at most).
    const slowServer = await new Promise<ReturnType<typeof serveApp>>((resolve) => {
      const s = serveApp(
        {
          fetch: async () => {
            await new Promise((done) => setTimeout(done, 2_000));
            return Response.json({ error: "too late" }, { status: 503 });
          },
          port: 0,
          hostname: "127.0.0.1",
        },
        () => resolve(s),
      );
    });
    opened.push(
      () =>
        new Promise<void>((resolve) => {
          slowServer.close(() => resolve());
          if ("closeAllConnections" in slowServer) slowServer.closeAllConnections();
        }),
    );
    const slowRedis = new Redis({
      url: `http://127.0.0.1:${(slowServer.address() as AddressInfo).port}`,
      token: "t",
      retry: false,
    });
    for (const [mode, status] of [
      ["open", 200],
      ["closed", 503],
    ] as const) {
      const origin = await originWith({
        rateLimitRedis: slowRedis,
        env: { RATE_LIMIT_TIMEOUT_MS: 100, RATE_LIMIT_ON_FAILURE: mode },
      });
      const started = Date.now();
      const response = await chat(bot, randomIp(), { origin });
      const took = Date.now() - started;
      expect(response.status).toBe(status);
      // Far below the slow endpoint's 2 s, with room for a loaded machine.
      expect(took).toBeLessThan(1_500);
      await response.body?.cancel();
    }
  });
});

describe("x-ratelimit-reset-requests", () => {
  it("spells durations as OpenAI does", () => {
    expect([0, 20, 999, 1_000, 1_500, 59_999, 60_000, 90_500, 360_000].map(formatResetDuration)).toEqual([
      "0ms",
      "20ms",
      "999ms",
      "1s",
      "1.5s",
      "59.999s",
      "1m0s",
      "1m30.5s",
      "6m0s",
    ]);
  });
});
