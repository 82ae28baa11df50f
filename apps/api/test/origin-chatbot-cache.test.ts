// The chat origin keeps chatbots and presented API keys per process (origin/chatbot-cache.ts)
// and trusts a cached entry only while the chatbot's admission version has not moved. Changes
// here are written straight to the database, as another API process, a job or an operator
// would write them: nothing in this process is told, and the next request must still see them.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import { chatServicesOf } from "../src/origin/chat-services.ts";
import {
  createAccount,
  deployAndWait,
  type EdgeForward,
  forwardAsEdge,
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

async function liveChatbot(fields: { defaultModel?: string } = {}) {
  const created = await admin.client.chatbot.create.mutate({
    name: `cached${randomBytes(4).toString("hex")}`,
    provider: "echo",
    ...fields,
  });
  await deployAndWait(admin.client, created.id);
  return created;
}

const completion = (chatbot: EdgeForward["chatbot"], headers: Record<string, string> = {}) =>
  forwardAsEdge(server, {
    chatbot,
    accountNumber: admin.accountNumber,
    action: "v1/chat/completions",
    body: { messages: [{ role: "user", content: "still there?" }] },
    headers,
  });

describe("the origin's chatbot cache", () => {
  it("serves a chatbot from memory until its admission version moves", async () => {
    const created = await admin.client.chatbot.create.mutate({
      name: `mem${randomBytes(4).toString("hex")}`,
    });
    const cache = chatServicesOf(server.runtime).chatbots;
    const version = await cache.version(created.id);
    expect(version).not.toBeNull();
    const first = await cache.chatbot(created.id, version ?? -1);
    expect(await cache.chatbot(created.id, version ?? -1)).toBe(first);

    await server.runtime.db.chatBot.update({ where: { id: created.id }, data: { appName: "Renamed" } });
    const moved = await cache.version(created.id);
    expect(moved).toBeGreaterThan(version ?? -1);
    const reloaded = await cache.chatbot(created.id, moved ?? -1);
    expect(reloaded).not.toBe(first);
    expect(reloaded?.appName).toBe("Renamed");
    expect(await cache.version(2_147_483_647)).toBeNull();
  });

  it("refuses a key on the very next request once any writer revokes it", async () => {
    const chatbot = await liveChatbot();
    const key = await admin.client.apiKey.create.mutate({ chatbotId: chatbot.id });
    const withKey = { authorization: `Bearer ${key.key}` };
    expect((await completion(chatbot, withKey)).status).toBe(200);
    expect((await completion(chatbot, withKey)).status).toBe(200);

    await server.runtime.db.chatBotAPIKey.update({
      where: { id: key.id },
      data: { isActive: false, revokedAt: new Date() },
    });
    // The chatbot has no active key left, so it is public again; the revoked key grants nothing
    // more than no key at all. A second, still active key keeps it locked:
    const other = await admin.client.apiKey.create.mutate({ chatbotId: chatbot.id });
    const refused = await completion(chatbot, withKey);
    expect(refused.status).toBe(403);
    expect((await completion(chatbot, { authorization: `Bearer ${other.key}` })).status).toBe(200);
  });

  it("stops public chat on the very next request once any writer undeploys the chatbot", async () => {
    const chatbot = await liveChatbot();
    expect((await completion(chatbot)).status).toBe(200);
    await server.runtime.db.chatBot.update({ where: { id: chatbot.id }, data: { deployed: false } });
    const refused = await completion(chatbot);
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("not_ready");
  });

  it("answers like an unknown chatbot at once while the account is suspended, and serves again after", async () => {
    const owner = await createAccount(server, "suspended");
    const created = await owner.client.chatbot.create.mutate({ name: "paused", provider: "echo" });
    await deployAndWait(owner.client, created.id);
    const call = () =>
      forwardAsEdge(server, {
        chatbot: created,
        accountNumber: owner.accountNumber,
        action: "v1/chat/completions",
        body: { messages: [{ role: "user", content: "hi" }] },
      });
    expect((await call()).status).toBe(200);
    await server.runtime.db.account.update({ where: { id: owner.accountId }, data: { isActive: false } });
    expect((await call()).status).toBe(404);
    await server.runtime.db.account.update({ where: { id: owner.accountId }, data: { isActive: true } });
    expect((await call()).status).toBe(200);
  });

  it("answers with the chatbot's new settings on the very next request", async () => {
    const chatbot = await liveChatbot({ defaultModel: "echo-one" });
    const model = async () => ((await (await completion(chatbot)).json()) as { model: string }).model;
    expect(await model()).toBe("echo-one");
    await server.runtime.db.chatBot.update({ where: { id: chatbot.id }, data: { defaultModel: "echo-two" } });
    expect(await model()).toBe("echo-two");
  });

  it("writes a key's lastUsedAt after the answer, without moving the chatbot's version", async () => {
    const chatbot = await liveChatbot();
    const key = await admin.client.apiKey.create.mutate({ chatbotId: chatbot.id });
    const cache = chatServicesOf(server.runtime).chatbots;
    const before = await cache.version(chatbot.id);
    expect((await completion(chatbot, { "x-api-key": key.key })).status).toBe(200);
    await backgroundSettled();
    const stored = await server.runtime.db.chatBotAPIKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(stored.lastUsedAt).toBeInstanceOf(Date);
    expect(await cache.version(chatbot.id)).toBe(before);
  });
});
