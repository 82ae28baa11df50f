// The origin believes X-Botgate-* headers only from the edge: unsigned, tampered, stale,
// replayed or misdirected forwards are refused (401/403), never downgraded to direct calls;
// the signature covers the body bytes and the credential headers; the public URL and the
// request id come from signed fields only; and a valid signature does not make the origin
// answer for a chatbot or account other than its own.
import { randomBytes } from "node:crypto";
import { RedisNonceStore, UpstashNonceStore } from "@botgate/cache";
import {
  FORWARDED_HEADERS,
  type ForwardedContext,
  MAX_CLOCK_SKEW_SECONDS,
  signForwardedRequest,
} from "@botgate/forwarding";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import {
  createAccount,
  deployAndWait,
  REDIS_URL,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let admin: TestUser;
let chatbot: { id: number; hashedId: string; accountNumber: string; defaultHost: string };

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
  const created = await admin.client.chatbot.create.mutate({ name: `bot${randomBytes(4).toString("hex")}` });
  await deployAndWait(admin.client, created.id);
  chatbot = {
    id: created.id,
    hashedId: created.hashedId,
    accountNumber: admin.accountNumber,
    defaultHost: created.defaultHost,
  };
});
afterAll(async () => {
  await server?.close();
});

const configPath = () => `/api/v1/chatbots/${chatbot.hashedId}/config/`;
const chatPath = () => `/api/v1/chatbots/${chatbot.hashedId}/chat/`;
const edgeContext = (overrides: Partial<ForwardedContext> = {}): Partial<ForwardedContext> => ({
  chatbotId: String(chatbot.id),
  mode: "default",
  accountNumber: chatbot.accountNumber,
  requestId: "req-test",
  clientIp: "203.0.113.5",
  ...overrides,
});

interface Forward {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  now?: number;
  secret?: string;
}

/** The headers the edge would send for this request: its own plus the signed ones. */
async function signed(
  path: string,
  context: Partial<ForwardedContext> = edgeContext(),
  {
    method = "GET",
    headers = {},
    body = "",
    now = Date.now(),
    secret = server.runtime.edgeSecret,
  }: Forward = {},
): Promise<Record<string, string>> {
  const request = { method, path, headers: new Headers(headers), body: new TextEncoder().encode(body) };
  return { ...headers, ...(await signForwardedRequest(secret, request, context, now)) };
}

async function call(path: string, headers: Record<string, string>, method = "GET", body?: string) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers,
    ...(body !== undefined && { body }),
  });
  return {
    status: response.status,
    requestId: response.headers.get("x-request-id"),
    body: (await response.json()) as {
      error?: { code: string; requestId?: string; details?: unknown };
      data?: { meta_data?: { request_id?: string }; body?: { metadata?: { session_key?: string } } };
    },
  };
}

const chatBody = (content = "hello") => JSON.stringify({ messages: [{ role: "user", content }] });

describe("forwarded requests to the chat origin", () => {
  it("are answered when validly signed", async () => {
    const { status, body } = await call(configPath(), await signed(configPath()));
    expect(status).toBe(200);
    expect(body).toMatchObject({ data: { chatbot: { id: chatbot.id, mode: "default" } } });
  });

  it("are refused unsigned (401), even next to a valid admin token", async () => {
    const { status, body } = await call(configPath(), {
      [FORWARDED_HEADERS.mode]: "sandbox",
      authorization: `Bearer ${admin.token}`,
    });
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "unsigned" } });
  });

  it.each([
    ["mode", "sandbox"],
    ["chatbotId", "1"],
    ["accountNumber", "0000-0000-0000"],
    ["clientIp", "198.51.100.1"],
    ["requestId", "other"],
  ] as const)("are refused when %s was changed after signing (403)", async (field, value) => {
    const headers = await signed(configPath());
    headers[FORWARDED_HEADERS[field]] = value;
    const { status, body } = await call(configPath(), headers);
    expect(status).toBe(403);
    expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "bad_signature" } });
  });

  it("are refused when signed for another path, method or secret (403)", async () => {
    const other = `/api/v1/chatbots/${chatbot.hashedId}/config/?session_key=x`;
    expect((await call(configPath(), await signed(other))).status).toBe(403);
    expect(
      (await call(configPath(), await signed(configPath(), edgeContext(), { method: "POST" }))).status,
    ).toBe(403);
    const foreign = await signed(configPath(), edgeContext(), { secret: randomBytes(32).toString("hex") });
    expect((await call(configPath(), foreign)).status).toBe(403);
  });

  it("are refused when stale or from the future beyond the allowed skew (401)", async () => {
    const skew = (MAX_CLOCK_SKEW_SECONDS + 5) * 1000;
    for (const now of [Date.now() - skew, Date.now() + skew]) {
      const { status, body } = await call(configPath(), await signed(configPath(), edgeContext(), { now }));
      expect(status).toBe(401);
      expect(body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "stale" } });
    }
  });

  it("are refused with a malformed signature (403)", async () => {
    const headers = await signed(configPath());
    headers[FORWARDED_HEADERS.signature] = "bm90IGEgc2lnbmF0dXJl";
    expect((await call(configPath(), headers)).status).toBe(403);
  });

  it("cannot speak for another chatbot or account, even validly signed", async () => {
    // Signed for chatbot 1 but sent to this chatbot's path.
    const wrongId = await call(configPath(), await signed(configPath(), edgeContext({ chatbotId: "1" })));
    expect(wrongId.status).toBe(404);
    const wrongAccount = await call(
      configPath(),
      await signed(configPath(), edgeContext({ accountNumber: "1111-2222-3333" })),
    );
    expect(wrongAccount.status).toBe(404);
    const badMode = await call(configPath(), await signed(configPath(), edgeContext({ mode: "unknown" })));
    expect(badMode.status).toBe(403);
  });

  it("in a public mode, still need the chatbot to be live", async () => {
    const created = await admin.client.chatbot.create.mutate({
      name: `idle${randomBytes(4).toString("hex")}`,
    });
    const path = `/api/v1/chatbots/${created.hashedId}/config/`;
    const context = edgeContext({ chatbotId: String(created.id) });
    const { status, body } = await call(path, await signed(path, context));
    expect(status).toBe(503);
    expect(body.error).toMatchObject({
      code: "NOT_READY",
      details: {
        deployed: false,
        dnsVerificationStatus: "Not Verified",
        tlsCertificateIssuanceStatus: "No Certificate",
      },
    });
    // A custom mode needs a verified custom host, which this chatbot does not have.
    const custom = await call(configPath(), await signed(configPath(), edgeContext({ mode: "custom" })));
    expect(custom.status).toBe(404);
  });
});

describe("what a forward's signature covers", () => {
  const post = (context = edgeContext(), headers: Record<string, string> = {}, body = chatBody()) =>
    signed(chatPath(), context, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("refuses a replay of a captured forward (401 replayed), even within the validity window", async () => {
    const captured = await post();
    const first = await call(chatPath(), captured, "POST", chatBody());
    expect(first.status).toBe(200);
    const replay = await call(chatPath(), captured, "POST", chatBody());
    expect(replay.status).toBe(401);
    expect(replay.body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "replayed" } });
    // A read is no exception.
    const config = await signed(configPath());
    expect((await call(configPath(), config)).status).toBe(200);
    expect((await call(configPath(), config)).body.error).toMatchObject({ details: { reason: "replayed" } });
  });

  it("refuses a body swapped after signing (403 body_mismatch) and stores nothing of it", async () => {
    const headers = await post(edgeContext({ requestId: "req-swapped" }));
    const swapped = await call(chatPath(), headers, "POST", chatBody("something else"));
    expect(swapped.status).toBe(403);
    expect(swapped.body.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "body_mismatch" } });
    await backgroundSettled(); // the request log is written after the answer
    const rows = await server.runtime.db.chatBotRequests.findMany({ where: { chatbotId: chatbot.id } });
    expect(rows.map((row) => (row.request as { request_id?: string }).request_id)).not.toContain(
      "req-swapped",
    );
  });

  it("refuses a credential header added or changed after signing (403)", async () => {
    const changes: Record<string, string>[] = [
      { "x-api-key": "bgk_other" },
      { authorization: "Bearer other" },
    ];
    for (const change of changes) {
      const headers = { ...(await post()), ...change };
      const { status, body } = await call(chatPath(), headers, "POST", chatBody());
      expect(status).toBe(403);
      expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { reason: "bad_signature" } });
    }
  });

  it("records and answers with the signed request id, whatever X-Request-Id says", async () => {
    const headers = { ...(await post(edgeContext({ requestId: "edge-req-1" }))), "x-request-id": "chosen" };
    const chat = await call(chatPath(), headers, "POST", chatBody());
    expect(chat.status).toBe(200);
    expect(chat.requestId).toBe("edge-req-1");
    await backgroundSettled(); // the request log is written after the answer
    const rows = await server.runtime.db.chatBotRequests.findMany({ where: { chatbotId: chatbot.id } });
    expect(rows.map((row) => (row.request as { request_id?: string }).request_id)).toContain("edge-req-1");
    // Error bodies too.
    const refused = await call(
      configPath(),
      await signed(configPath(), edgeContext({ requestId: "edge-req-2", mode: "unknown" })),
    );
    expect(refused.body.error).toMatchObject({ code: "FORBIDDEN", requestId: "edge-req-2" });
    expect(refused.requestId).toBe("edge-req-2");
  });

  it("takes the chat's public URL from the signed host only, never from X-Forwarded-*", async () => {
    const spoofed = { "x-forwarded-host": "evil.example", "x-forwarded-proto": "http" };
    const urlOf = async (context: Partial<ForwardedContext>) => {
      const response = await call(chatPath(), await post(context, spoofed), "POST", chatBody());
      expect(response.status).toBe(200);
      const sessionKey = response.body.data?.body?.metadata?.session_key ?? "";
      return (await server.runtime.db.chat.findUniqueOrThrow({ where: { sessionKey } })).url;
    };
    expect(await urlOf(edgeContext({ forwardedHost: chatbot.defaultHost, forwardedProto: "https" }))).toBe(
      `https://${chatbot.defaultHost}/`,
    );
    expect(await urlOf(edgeContext())).toBeNull();
  });

  it("refuses a replay just the same when nonces are claimed over the API's own TCP connection (REDIS_URL)", async () => {
    const tcp = await startTestServer({ env: { REDIS_URL } });
    try {
      expect(tcp.runtime.forwardNonces).toBeInstanceOf(RedisNonceStore);
      const owner = await createAccount(tcp);
      const created = await owner.client.chatbot.create.mutate({
        name: `bot${randomBytes(4).toString("hex")}`,
      });
      await deployAndWait(owner.client, created.id);
      const path = `/api/v1/chatbots/${created.hashedId}/chat/`;
      const headers = await signed(
        path,
        { ...edgeContext(), chatbotId: String(created.id), accountNumber: owner.accountNumber },
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: chatBody(),
          secret: tcp.runtime.edgeSecret,
        },
      );
      const send = () => fetch(`${tcp.url}${path}`, { method: "POST", headers, body: chatBody() });
      expect((await send()).status).toBe(200);
      const replay = await send();
      expect(replay.status).toBe(401);
      expect(await replay.json()).toMatchObject({
        error: { code: "UNAUTHORIZED", details: { reason: "replayed" } },
      });
    } finally {
      await tcp.close();
    }
  });

  it("refuses forwarded chat requests while the nonce store is down (503), but still resolves routes", async () => {
    const unreachable = new Redis({ url: "http://127.0.0.1:9", token: "x", retry: false });
    const down = await startTestServer({ forwardNonces: new UpstashNonceStore({ redis: unreachable }) });
    try {
      const headers = await signed(chatPath(), edgeContext(), {
        method: "POST",
        body: chatBody(),
        secret: down.runtime.edgeSecret,
      });
      const response = await fetch(`${down.url}${chatPath()}`, { method: "POST", headers, body: chatBody() });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        error: { code: "UNAVAILABLE", details: { reason: "replay_check_unavailable" } },
      });
      const resolvePath = "/internal/resolve?target=id%3A1";
      const resolve = await fetch(`${down.url}${resolvePath}`, {
        headers: await signed(resolvePath, {}, { secret: down.runtime.edgeSecret }),
      });
      expect(resolve.status).toBe(200);
    } finally {
      await down.close();
    }
  });
});

describe("GET /internal/resolve", () => {
  const path = () => `/internal/resolve?target=${encodeURIComponent(`id:${chatbot.id}`)}`;

  it("answers signed edge requests only", async () => {
    expect((await call(path(), await signed(path(), {}))).status).toBe(200);
    const direct = await call(path(), { authorization: `Bearer ${admin.token}` });
    expect(direct.status).toBe(401);
    expect(direct.body.error).toMatchObject({ code: "UNAUTHORIZED", details: { reason: "unsigned" } });
    const stale = await signed(path(), {}, { now: Date.now() - (MAX_CLOCK_SKEW_SECONDS + 5) * 1000 });
    expect((await call(path(), stale)).status).toBe(401);
    const forged = await signed(path(), {}, { secret: "x".repeat(40) });
    expect((await call(path(), forged)).status).toBe(403);
    // The signature covers the query: a signed lookup cannot be redirected to another target.
    const redirected = await signed(path(), {});
    expect((await call(`/internal/resolve?target=id:${chatbot.id + 1}`, redirected)).status).toBe(403);
  });
});
