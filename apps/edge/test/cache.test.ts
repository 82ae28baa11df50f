// The route tiers as the edge uses them: per-isolate L1 → Redis (through the real Upstash
// endpoint) → the origin's /internal/resolve, with negative caching, request coalescing,
// refills, write-through invalidation and the no-Redis configuration.
import { ROUTE_TTL } from "@botgate/cache";
import { routeKey } from "@botgate/core";
import { Redis } from "@upstash/redis/cloudflare";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  control,
  createChatbot,
  edge,
  edgeWith,
  eventually,
  expectError,
  L1_TTL_MS,
  newAccount,
  PLATFORM_HOST,
  resolveCalls,
  sandboxPath,
  TTL_MARGIN_MS,
  trpc,
  UPSTASH,
  uniqueName,
} from "./helpers.ts";

const redis = new Redis({ url: UPSTASH.url, token: UPSTASH.token, enableTelemetry: false });
const tierOf = (response: Response) =>
  /desc="([^"]+)"/.exec(response.headers.get("server-timing") ?? "")?.[1];
const hostKey = (host: string) => routeKey({ kind: "host", host });

let account: Account;
beforeAll(async () => {
  account = await newAccount();
});

/** A default host no chatbot has (yet): a fresh name under a real account number. */
const unknownDefaultHost = (name = uniqueName("nobody")) => ({
  name,
  host: `${name.toLowerCase()}.${account.accountNumber}.api.local.botgate.localhost`,
});

describe("tiers", () => {
  it("answers from Redis after write-through, then from the isolate's L1", async () => {
    const chatbot = await createChatbot(account);
    const first = await edge(`http://${chatbot.defaultHost}/`);
    expect(first.status).toBe(200);
    expect(tierOf(first)).toBe("l2");
    const second = await edge(`http://${chatbot.defaultHost}/`);
    expect(tierOf(second)).toBe("l1");
    expect(await resolveCalls(`host:${chatbot.defaultHost}`)).toBe(0);
  });

  it("asks the origin on a Redis miss, and the origin refills Redis (SET NX, refill TTL)", async () => {
    const chatbot = await createChatbot(account);
    const key = hostKey(chatbot.defaultHost);
    await redis.del(key);
    const response = await edge(`http://${chatbot.defaultHost}/`);
    expect(tierOf(response)).toBe("origin");
    expect(await resolveCalls(`host:${chatbot.defaultHost}`)).toBe(1);
    await eventually(async () => {
      expect(await redis.get(key)).toMatchObject({ found: true, chatbotId: chatbot.id });
    }, 2_000);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ROUTE_TTL.refillSeconds);
  });

  it("runs without Redis (no UPSTASH bindings): L1 and the origin only", async () => {
    const chatbot = await createChatbot(account);
    const noRedis = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    const first = await edgeWith(noRedis, `http://${chatbot.defaultHost}/config/`);
    expect(first.status).toBe(200);
    expect(tierOf(first)).toBe("origin");
    const second = await edgeWith(noRedis, `http://${chatbot.defaultHost}/config/`);
    expect(tierOf(second)).toBe("l1");
    expect(await resolveCalls(`host:${chatbot.defaultHost}`)).toBe(1);
  });
});

describe("unknown hosts", () => {
  it("are cached negatively: one origin call per negative lifetime, in L1 and then in Redis", async () => {
    const { host } = unknownDefaultHost();
    for (let i = 0; i < 5; i++) await expectError(await edge(`http://${host}/`), 404, "NOT_FOUND");
    expect(await resolveCalls(`host:${host}`)).toBe(1);
    await eventually(async () => expect(await redis.get(hostKey(host))).toEqual({ found: false }), 2_000);
    const ttl = await redis.ttl(hostKey(host));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(ROUTE_TTL.negativeSeconds);
    // Past the L1 lifetime the isolate asks Redis, which still knows the host is unknown.
    await new Promise((resolve) => setTimeout(resolve, L1_TTL_MS + 100));
    const again = await edge(`http://${host}/`);
    expect(again.status).toBe(404);
    expect(await resolveCalls(`host:${host}`)).toBe(1);
  });

  it("collapse concurrent misses for one host into one origin lookup", async () => {
    const { host } = unknownDefaultHost();
    const responses = await Promise.all(Array.from({ length: 25 }, () => edge(`http://${host}/config/`)));
    expect(responses.map((r) => r.status)).toEqual(Array(25).fill(404));
    expect(await resolveCalls(`host:${host}`)).toBe(1);
  });

  it("collapse without Redis too", async () => {
    const { host } = unknownDefaultHost();
    const noRedis = { UPSTASH_REDIS_REST_URL: undefined, UPSTASH_REDIS_REST_TOKEN: undefined };
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => edgeWith(noRedis, `http://${host}/`)),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([404]));
    expect(await resolveCalls(`host:${host}`)).toBe(1);
  });

  it("route as soon as they become known: write-through replaces the negative entry", async () => {
    const { name, host } = unknownDefaultHost();
    await expectError(await edge(`http://${host}/`), 404, "NOT_FOUND");
    await eventually(async () => expect(await redis.get(hostKey(host))).toEqual({ found: false }), 2_000);
    const chatbot = await createChatbot(account, { name });
    expect(chatbot.defaultHost).toBe(host);
    expect(await redis.get(hostKey(host))).toMatchObject({ found: true, chatbotId: chatbot.id });
    const elapsed = await eventually(
      async () => expect((await edge(`http://${host}/`)).status).toBe(200),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
    expect(elapsed).toBeLessThanOrEqual(L1_TTL_MS + TTL_MARGIN_MS);
  });
});

describe("invalidation after admin and workflow changes", () => {
  it("shows a workflow status change (503 with both statuses) and an undeploy (404) within the L1 TTL", async () => {
    const chatbot = await createChatbot(account);
    const url = `http://${chatbot.defaultHost}/`;
    expect((await edge(url)).status).toBe(200);
    expect(tierOf(await edge(url))).toBe("l1");

    // A re-verification step of the deployment workflow: DNS back to Verifying, TLS Requested.
    await control(`/chatbots/${chatbot.id}/statuses`, {
      dnsVerificationStatus: "Verifying",
      tlsCertificateIssuanceStatus: "Requested",
    });
    let elapsed = await eventually(
      async () => expect((await edge(url)).status).toBe(503),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
    expect(elapsed).toBeLessThanOrEqual(L1_TTL_MS + TTL_MARGIN_MS);
    const error = await expectError(await edge(url), 503, "NOT_READY");
    expect(error.details).toEqual({
      deployed: true,
      dnsVerificationStatus: "Verifying",
      tlsCertificateIssuanceStatus: "Requested",
    });

    // chatbot.undeploy through the admin API: its hosts stop answering.
    await trpc(account.token, "chatbot.undeploy", { id: chatbot.id });
    elapsed = await eventually(
      async () => expect((await edge(url)).status).toBe(404),
      L1_TTL_MS + TTL_MARGIN_MS,
    );
    expect(elapsed).toBeLessThanOrEqual(L1_TTL_MS + TTL_MARGIN_MS);
    // The sandbox keeps serving it.
    const sandbox = await edge(`http://${PLATFORM_HOST}${sandboxPath(chatbot)}config/`, {
      headers: { authorization: `Bearer ${account.token}` },
    });
    expect(sandbox.status).toBe(200);
  });

  it("requires a key at the edge within the L1 TTL once the chatbot gets its first API key", async () => {
    const chatbot = await createChatbot(account);
    const url = `http://${chatbot.defaultHost}/config/`;
    expect((await edge(url)).status).toBe(200);
    const { key } = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: chatbot.id,
      name: "k",
    });
    await eventually(async () => expect((await edge(url)).status).toBe(401), L1_TTL_MS + TTL_MARGIN_MS);
    const error = await expectError(await edge(url), 401, "UNAUTHORIZED");
    expect(error.details).toEqual({ required: "api_key" });
    expect((await edge(url, { headers: { "x-api-key": key } })).status).toBe(200);
  });
});
