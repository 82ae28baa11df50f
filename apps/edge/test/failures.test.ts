// What the edge does when its dependencies fail: Redis down or slow (origin fallback), the
// origin down (502, or a stale /config/ from a route it still holds), a misconfiguration.
// Each test stops and starts upstreams of its own, so nothing else is disturbed.
// workerd logs "uncaught exception ... Network connection lost" for every fetch() to a stopped
// server even when the worker catches the error (the same line appears for a bare try/catch
// around fetch): those log lines are the runtime's, not unhandled rejections of the edge.
import { routeKey } from "@botgate/core";
import { Redis } from "@upstash/redis/cloudflare";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  type ConfigEnvelope,
  createChatbot,
  edgeWith,
  expectError,
  L1_TTL_MS,
  newAccount,
  ownUpstreams,
  SLOW_UPSTASH_URL,
  UPSTASH,
  uniqueName,
} from "./helpers.ts";

const redis = new Redis({ url: UPSTASH.url, token: UPSTASH.token, enableTelemetry: false });
const tierOf = (response: Response) =>
  /desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let account: Account;
beforeAll(async () => {
  account = await newAccount();
});

describe("Redis unavailable", () => {
  it("routes through the origin while the Upstash endpoint is down, and uses Redis again once it is back", async () => {
    const upstreams = await ownUpstreams();
    const chatbot = await createChatbot(account);
    await upstreams.stop("upstash");
    const response = await edgeWith(upstreams.bindings, `http://${chatbot.defaultHost}/config/`);
    expect(response.status).toBe(200);
    expect(tierOf(response)).toBe("origin");
    const unknown = await edgeWith(upstreams.bindings, `http://${uniqueName("ghost")}.example.org/`);
    await expectError(unknown, 404, "NOT_FOUND");

    await upstreams.start("upstash");
    await sleep(L1_TTL_MS + 100);
    const recovered = await edgeWith(upstreams.bindings, `http://${chatbot.defaultHost}/config/`);
    expect(recovered.status).toBe(200);
    expect(tierOf(recovered)).toBe("l2");
  });

  it("does not wait for a slow Redis: the store times out and the origin answers", async () => {
    const upstreams = await ownUpstreams();
    const chatbot = await createChatbot(account);
    const started = Date.now();
    const response = await edgeWith(
      { ...upstreams.bindings, UPSTASH_REDIS_REST_URL: SLOW_UPSTASH_URL },
      `http://${chatbot.defaultHost}/config/`,
    );
    expect(response.status).toBe(200);
    expect(tierOf(response)).toBe("origin");
    // The slow endpoint answers after 2 s; the 150 ms store timeout plus the origin round trip is far less.
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});

describe("origin unavailable", () => {
  it("answers 502 JSON for a host the edge has never seen", async () => {
    const upstreams = await ownUpstreams();
    await upstreams.stop("origin");
    const host = `${uniqueName("never")}.example.org`;
    const error = await expectError(
      await edgeWith(upstreams.bindings, `http://${host}/`),
      502,
      "BAD_GATEWAY",
    );
    expect(error.message).not.toContain("127.0.0.1");
  });

  it("keeps a route it holds: page served, /config/ stale from the route record, /chat/ 502", async () => {
    const upstreams = await ownUpstreams();
    const chatbot = await createChatbot(account);
    const base = `http://${chatbot.defaultHost}`;
    expect((await edgeWith(upstreams.bindings, `${base}/config/`)).status).toBe(200);
    await upstreams.stop("origin");

    expect((await edgeWith(upstreams.bindings, `${base}/`)).status).toBe(200);
    const stale = await edgeWith(upstreams.bindings, `${base}/config/`);
    expect(stale.status).toBe(200);
    expect(stale.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const config = await stale.json<ConfigEnvelope>();
    expect(config.stale).toBe(true);
    expect(config.thing).toBe("ChatConfig");
    expect(config.data.meta_data).toMatchObject({ stale: true, reason: "BAD_GATEWAY" });
    expect(config.data.chatbot).toMatchObject({
      id: chatbot.id,
      hashed_id: chatbot.hashedId,
      mode: "default",
    });
    expect(config.data.session_key).toBeNull();

    const chat = await edgeWith(upstreams.bindings, `${base}/chat/`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ role: "user", content: "hello?" }] }),
    });
    await expectError(chat, 502, "BAD_GATEWAY");

    await upstreams.start("origin");
    const back = await edgeWith(upstreams.bindings, `${base}/config/`);
    expect((await back.json<Record<string, unknown>>()).stale).toBeUndefined();
  });

  it("with Redis down too, serves an expired L1 route stale rather than nothing", async () => {
    const upstreams = await ownUpstreams();
    const chatbot = await createChatbot(account);
    const base = `http://${chatbot.defaultHost}`;
    expect((await edgeWith(upstreams.bindings, `${base}/`)).status).toBe(200);
    await upstreams.stop("origin");
    await upstreams.stop("upstash");
    await sleep(L1_TTL_MS + 100);

    const page = await edgeWith(upstreams.bindings, `${base}/`);
    expect(page.status).toBe(200);
    expect(tierOf(page)).toBe("l1-stale");
    const config = await edgeWith(upstreams.bindings, `${base}/config/`);
    expect((await config.json<Record<string, unknown>>()).stale).toBe(true);
    // Nothing is invented for hosts it does not hold.
    await expectError(
      await edgeWith(upstreams.bindings, `http://${uniqueName("other")}.example.org/`),
      502,
      "BAD_GATEWAY",
    );
  });

  it("serves a route found in Redis while the origin is down", async () => {
    const upstreams = await ownUpstreams();
    const chatbot = await createChatbot(account);
    await upstreams.stop("origin");
    expect(await redis.get(routeKey({ kind: "host", host: chatbot.defaultHost }))).toMatchObject({
      found: true,
    });
    const page = await edgeWith(upstreams.bindings, `http://${chatbot.defaultHost}/`);
    expect(page.status).toBe(200);
    expect(tierOf(page)).toBe("l2");
  });
});

describe("configuration", () => {
  it("answers 500 INTERNAL without details when its bindings are invalid", async () => {
    const response = await edgeWith({ ORIGIN_URL: "not a url" }, "http://any.example.org/");
    const error = await expectError(response, 500, "INTERNAL");
    expect(error.message).toBe("The edge is misconfigured.");
    expect(error.details).toBeUndefined();
  });

  it("refuses a missing or short secret outside ENVIRONMENT=local", async () => {
    const response = await edgeWith(
      { ENVIRONMENT: "prod", EDGE_SHARED_SECRET: "short" },
      "http://any.example.org/",
    );
    await expectError(response, 500, "INTERNAL");
  });
});
