// The origin believes X-Botgate-* headers only from the edge: unsigned, tampered, stale or
// misdirected forwards are refused (401/403), never downgraded to direct calls, and a valid
// signature does not make the origin answer for a chatbot or account other than its own.
import { randomBytes } from "node:crypto";
import {
  FORWARDED_HEADERS,
  type ForwardedContext,
  MAX_CLOCK_SKEW_SECONDS,
  signForwardedRequest,
} from "@botgate/forwarding";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let server: TestServer;
let admin: TestUser;
let chatbot: { id: number; hashedId: string; accountNumber: string };

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
  const created = await admin.client.chatbot.create.mutate({ name: `bot${randomBytes(4).toString("hex")}` });
  await admin.client.chatbot.deploy.mutate({ id: created.id });
  chatbot = { id: created.id, hashedId: created.hashedId, accountNumber: admin.accountNumber };
});
afterAll(async () => {
  await server?.close();
});

const configPath = () => `/api/v1/chatbots/${chatbot.hashedId}/config/`;
const edgeContext = (overrides: Partial<ForwardedContext> = {}): ForwardedContext => ({
  chatbotId: String(chatbot.id),
  mode: "default",
  accountNumber: chatbot.accountNumber,
  requestId: "req-test",
  clientIp: "203.0.113.5",
  ...overrides,
});

async function signed(
  path: string,
  context: Partial<ForwardedContext> = edgeContext(),
  { method = "GET", now = Date.now(), secret = server.runtime.edgeSecret } = {},
): Promise<Record<string, string>> {
  return signForwardedRequest(secret, { method, path }, context, now);
}

async function call(path: string, headers: Record<string, string>, method = "GET") {
  const response = await fetch(`${server.url}${path}`, { method, headers });
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; details?: unknown } },
  };
}

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
