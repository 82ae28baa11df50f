// Chat rate limits at the edge (issue 10 point 7), through workerd against the real API origin
// and the real Redis behind the Upstash REST endpoint. Every test has chatbots and client
// addresses of its own (random documentation-prefix IPs, so a rerun within the window starts
// afresh) and a window far longer than any test, so each bound is exact.
import { beforeAll, describe, expect, it } from "vitest";
import { formatResetDuration } from "../src/chat-limiter.ts";
import {
  type Account,
  type Bindings,
  type Chatbot,
  createChatbot,
  edgeWith,
  eventually,
  expectError,
  L1_TTL_MS,
  newAccount,
  ownUpstreams,
  SLOW_UPSTASH_URL,
  TTL_MARGIN_MS,
  trpc,
} from "./helpers.ts";

/** Platform defaults far above what any test sends: only the chatbots' own limits bind. */
const bindings: Bindings = {
  RATE_LIMIT_REQUESTS: "100000",
  RATE_LIMIT_CLIENT_REQUESTS: "100000",
  RATE_LIMIT_WINDOW_S: "3600",
};

const randomByte = () => crypto.getRandomValues(new Uint8Array(1))[0] ?? 0;
/** A documentation-prefix IPv4 address (TEST-NET-3), random per call. */
const randomIp = () => `203.0.${randomByte()}.${randomByte()}`;

function chat(
  chatbot: Chatbot,
  ip: string,
  { headers = {}, env = bindings }: { headers?: Record<string, string>; env?: Bindings } = {},
): Promise<Response> {
  return edgeWith(env, `http://${chatbot.defaultHost}/chat/`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip, ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
  });
}

const limitHeaders = (response: Response) => ({
  limit: response.headers.get("x-ratelimit-limit-requests"),
  remaining: response.headers.get("x-ratelimit-remaining-requests"),
  reset: response.headers.get("x-ratelimit-reset-requests"),
});

async function expectRateLimited(response: Response): Promise<void> {
  const retryAfter = Number(response.headers.get("retry-after"));
  const retryAfterMs = Number(response.headers.get("retry-after-ms"));
  const error = await expectError(response, 429, "RATE_LIMITED");
  expect(error.details?.retryAfterSeconds).toBe(retryAfter);
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(retryAfterMs).toBeGreaterThan(0);
  expect(Math.ceil(retryAfterMs / 1000)).toBe(retryAfter);
  expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
}

let account: Account;
beforeAll(async () => {
  account = await newAccount();
});

const limitedBot = (fields: Record<string, number | null>) =>
  createChatbot(account, { rateLimitWindowSeconds: 3600, ...fields });

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
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await chat(bot, ip)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    await expectRateLimited(await chat(bot, ip));
    // Another IP has a budget of its own.
    const other = await chat(bot, randomIp());
    expect(other.status).toBe(200);
    expect(limitHeaders(other).remaining).toBe("2");
  });

  it("count a chatbot's budget over all its clients, and only for requests the client budgets admit", async () => {
    const bot = await limitedBot({ rateLimitRequests: 4, rateLimitClientRequests: 2 });
    const noisy = randomIp();
    // One client over its own limit: its refused requests do not spend the chatbot's budget.
    const noisyStatuses = [];
    for (let i = 0; i < 6; i++) noisyStatuses.push((await chat(bot, noisy)).status);
    expect(noisyStatuses).toEqual([200, 200, 429, 429, 429, 429]);
    const others = [];
    for (let i = 0; i < 3; i++) others.push(await chat(bot, randomIp()));
    expect(others.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(limitHeaders(others[2] as Response).limit).toBe("4");
  });

  it("count each API key on its own, whatever addresses it comes from", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 3 });
    const keyOf = async () =>
      (await trpc<{ key: string }>(account.token, "apiKey.create", { chatbotId: bot.id, name: "k" })).key;
    const [keyA, keyB] = [await keyOf(), await keyOf()];
    const withKey = (key: string, style: "bearer" | "header"): Record<string, string> =>
      style === "bearer" ? { authorization: `Bearer ${key}` } : { "x-api-key": key };
    const statusesA = [];
    for (let i = 0; i < 5; i++) {
      statusesA.push(
        (await chat(bot, randomIp(), { headers: withKey(keyA, i % 2 ? "bearer" : "header") })).status,
      );
    }
    expect(statusesA).toEqual([200, 200, 200, 429, 429]);
    const b = await chat(bot, randomIp(), { headers: withKey(keyB, "bearer") });
    expect(b.status).toBe(200);
    expect(limitHeaders(b).remaining).toBe("2");
  });

  it("admit no more than the limit out of a burst of 50 concurrent requests", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 10 });
    const ip = randomIp();
    // A generous timeout: on a loaded machine a check that timed out would count as failed.
    const env = { ...bindings, RATE_LIMIT_TIMEOUT_MS: "5000" };
    const responses = await Promise.all(Array.from({ length: 50 }, () => chat(bot, ip, { env })));
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    await Promise.all(responses.map((r) => r.body?.cancel()));
  });

  it("count one client across isolates, in Redis", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const ip = randomIp();
    expect((await chat(bot, ip)).status).toBe(200);
    // Other bindings: services of their own (another limiter, another L1), the same Redis.
    const elsewhere = { ...bindings, ROUTE_NEGATIVE_TTL_MS: "998" };
    expect((await chat(bot, ip, { env: elsewhere })).status).toBe(200);
    await expectRateLimited(await chat(bot, ip));
  });

  it("follow a chatbot's new limit set in the admin API", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const ip = randomIp();
    expect(limitHeaders(await chat(bot, ip)).limit).toBe("2");
    await trpc(account.token, "chatbot.update", { id: bot.id, rateLimitClientRequests: 7 });
    await eventually(
      async () => {
        expect(limitHeaders(await chat(bot, randomIp())).limit).toBe("7");
      },
      L1_TTL_MS + TTL_MARGIN_MS + 5_000,
    );
    // Back to the platform default.
    await trpc(account.token, "chatbot.update", { id: bot.id, rateLimitClientRequests: null });
    await eventually(
      async () => {
        expect(limitHeaders(await chat(bot, randomIp())).limit).toBe("100000");
      },
      L1_TTL_MS + TTL_MARGIN_MS + 5_000,
    );
  });

  it("limit /v1/chat/completions too, refusing with OpenAI's error object and its headers", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const ip = randomIp();
    const completions = () =>
      edgeWith(bindings, `http://${bot.defaultHost}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": ip },
        body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
      });
    const first = await completions();
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: "1", remaining: "0" });
    await first.body?.cancel();
    const refused = await completions();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Math.ceil(Number(refused.headers.get("retry-after-ms")) / 1000)).toBe(
      Number(refused.headers.get("retry-after")),
    );
    expect(limitHeaders(refused)).toMatchObject({ limit: "1", remaining: "0" });
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limited" } });
  });

  it("do not count /config/ or /v1/models", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      for (const path of ["/config/", "/v1/models"]) {
        const response = await edgeWith(bindings, `http://${bot.defaultHost}${path}`, {
          headers: { "cf-connecting-ip": ip },
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
  it("hold per isolate when no Redis is configured", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 2 });
    const env = { ...bindings, UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    const ip = randomIp();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await chat(bot, ip, { env })).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it("admit while Redis is down when failing open, with the configured limit in the headers", async () => {
    const upstreams = await ownUpstreams();
    const bot = await limitedBot({ rateLimitClientRequests: 1 });
    await upstreams.stop("upstash");
    const env = { ...bindings, ...upstreams.bindings, RATE_LIMIT_ON_FAILURE: "open" };
    const ip = randomIp();
    for (let i = 0; i < 3; i++) {
      const response = await chat(bot, ip, { env });
      expect(response.status).toBe(200);
      expect(limitHeaders(response)).toMatchObject({ limit: "1", remaining: "1" });
    }
  });

  it("refuse with 503 and retry-after while Redis is down when failing closed", async () => {
    const upstreams = await ownUpstreams();
    const bot = await limitedBot({ rateLimitClientRequests: 100 });
    await upstreams.stop("upstash");
    const env = { ...bindings, ...upstreams.bindings, RATE_LIMIT_ON_FAILURE: "closed" };
    const response = await chat(bot, randomIp(), { env });
    expect(response.headers.get("retry-after")).toBe("1");
    await expectError(response, 503, "UNAVAILABLE");
  });

  it("decide within the timeout while Redis is slow, open or closed", async () => {
    const bot = await limitedBot({ rateLimitClientRequests: 100 });
    // The slow endpoint answers after 2 s; the route store (150 ms) falls back to the origin,
    // the limiter gives up after RATE_LIMIT_TIMEOUT_MS (100 ms, twice at most).
    const slow = {
      ...bindings,
      UPSTASH_REDIS_REST_URL: SLOW_UPSTASH_URL,
      ROUTE_STORE_TIMEOUT_MS: "150",
      RATE_LIMIT_TIMEOUT_MS: "100",
    };
    for (const [mode, status] of [
      ["open", 200],
      ["closed", 503],
    ] as const) {
      const started = Date.now();
      const response = await chat(bot, randomIp(), { env: { ...slow, RATE_LIMIT_ON_FAILURE: mode } });
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
