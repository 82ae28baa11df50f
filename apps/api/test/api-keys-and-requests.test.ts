import { hashSecret } from "@botgate/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

describe("apiKey.*", () => {
  it("answers a new key's plaintext once and stores only its hash", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "keyed" });
    const created = await admin.client.apiKey.create.mutate({ chatbotId: bot.id, name: "website" });
    expect(created).toMatchObject({ chatbotId: bot.id, name: "website", isActive: true, revokedAt: null });
    expect(created.key).toMatch(/^bgk_[A-Za-z0-9_-]{32}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    const stored = await server.runtime.db.chatBotAPIKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(stored.keyHash).toBe(hashSecret(created.key));
    const { key, ...view } = created;
    const listed = await admin.client.apiKey.list.query({ chatbotId: bot.id });
    expect(listed).toEqual([view]);
    expect(JSON.stringify(listed)).not.toContain(key);
  });

  it("makes the chatbot require a key while one is active", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "guarded" });
    const first = await admin.client.apiKey.create.mutate({ chatbotId: bot.id });
    const second = await admin.client.apiKey.create.mutate({ chatbotId: bot.id, name: "second" });
    expect((await admin.client.chatbot.get.query({ id: bot.id })).apiKeyRequired).toBe(true);
    await admin.client.apiKey.revoke.mutate({ id: first.id });
    expect((await admin.client.chatbot.get.query({ id: bot.id })).apiKeyRequired).toBe(true);
    await admin.client.apiKey.revoke.mutate({ id: second.id });
    expect((await admin.client.chatbot.get.query({ id: bot.id })).apiKeyRequired).toBe(false);
  });

  it("revokes idempotently and records one event per revocation", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "revoker" });
    const key = await admin.client.apiKey.create.mutate({ chatbotId: bot.id });
    const revoked = await admin.client.apiKey.revoke.mutate({ id: key.id });
    expect(revoked).toMatchObject({ id: key.id, isActive: false });
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    expect(await admin.client.apiKey.revoke.mutate({ id: key.id })).toEqual(revoked);
    const types = await server.runtime.db.chatBotEvent.findMany({
      where: { chatbotId: bot.id, type: { startsWith: "apiKey." } },
      select: { type: true },
    });
    expect(types.map((e) => e.type)).toEqual(["apiKey.created", "apiKey.revoked"]);
  });

  it("answers NOT_FOUND for an unknown key or chatbot", async () => {
    await expectTRPCError(admin.client.apiKey.revoke.mutate({ id: 2_147_483_647 }), "NOT_FOUND");
    await expectTRPCError(admin.client.apiKey.list.query({ chatbotId: 2_147_483_647 }), "NOT_FOUND");
  });
});

describe("request.list", () => {
  it("pages through a chatbot's request log, newest first", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "logged" });
    const other = await admin.client.chatbot.create.mutate({ name: "quiet" });
    const sessionKey = "a".repeat(64);
    await server.runtime.db.chatBotRequests.createMany({
      data: [1, 2, 3, 4, 5].map((n) => ({ chatbotId: bot.id, request: { n }, sessionKey })),
    });
    await server.runtime.db.chatBotRequests.create({ data: { chatbotId: other.id, request: { n: 0 } } });

    const first = await admin.client.request.list.query({ chatbotId: bot.id, limit: 3 });
    expect(first.items.map((r) => r.request)).toEqual([{ n: 5 }, { n: 4 }, { n: 3 }]);
    expect(first.items[0]).toMatchObject({ chatbotId: bot.id, sessionKey, isAggregation: false });
    const second = await admin.client.request.list.query({
      chatbotId: bot.id,
      limit: 3,
      cursor: first.nextCursor!,
    });
    expect(second.items.map((r) => r.request)).toEqual([{ n: 2 }, { n: 1 }]);
    expect(second.nextCursor).toBeNull();
  });

  it("answers an empty page for a chatbot without requests", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "silent" });
    expect(await admin.client.request.list.query({ chatbotId: bot.id })).toEqual({
      items: [],
      nextCursor: null,
    });
  });
});
