// ChatBot.admissionVersion (migration 20261206200000): the chat origin serves a chatbot from a
// per-process cache as long as this number has not moved, so every change admission depends
// on must move it, whichever table it lands in, and the hints written while serving must not.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient, type DatabaseClient } from "../src/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let testDb: TestDatabase;
let db: DatabaseClient;
let counter = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabaseClient(testDb.url, { maxConnections: testDb.maxConnections });
});

afterAll(async () => {
  await db?.$disconnect();
  await testDb?.close();
});

async function newChatbot() {
  const n = ++counter;
  const account = await db.account.create({
    data: { accountNumber: `8000-0000-${String(n).padStart(4, "0")}` },
  });
  const user = await db.user.create({ data: { username: `admission${n}` } });
  const profile = await db.userProfile.create({
    data: { userId: user.id, accountId: account.id, isAccountAdmin: false },
  });
  const chatbot = await db.chatBot.create({
    data: { name: `bot${n}`, userProfileId: profile.id, accountId: account.id, hostLabel: `bot${n}` },
  });
  const domain = await db.chatBotCustomDomain.create({
    data: {
      accountId: account.id,
      userProfileId: profile.id,
      name: `domain${n}`,
      domainName: `example${n}.com`,
      verificationToken: `token${n}`,
    },
  });
  await db.chatBot.update({ where: { id: chatbot.id }, data: { customDomainId: domain.id } });
  const key = await db.chatBotAPIKey.create({
    data: { chatbotId: chatbot.id, keyHash: `${n}`.padStart(64, "0"), prefix: "bg_test" },
  });
  return { account, user, profile, chatbot, domain, key };
}

type Fixture = Awaited<ReturnType<typeof newChatbot>>;

const versionOf = async (id: number) =>
  (await db.chatBot.findUniqueOrThrow({ where: { id }, select: { admissionVersion: true } }))
    .admissionVersion;

describe("ChatBot.admissionVersion", () => {
  it("starts at 0 for a new chatbot", async () => {
    const { account, profile } = await newChatbot();
    const fresh = await db.chatBot.create({
      data: { name: "fresh", userProfileId: profile.id, accountId: account.id, hostLabel: "fresh" },
    });
    expect(fresh.admissionVersion).toBe(0);
  });

  it.each<[string, (f: Fixture) => Promise<unknown>]>([
    [
      "the chatbot's own settings change",
      (f) => db.chatBot.update({ where: { id: f.chatbot.id }, data: { defaultModel: "gpt-other" } }),
    ],
    [
      "the chatbot is deployed",
      (f) => db.chatBot.update({ where: { id: f.chatbot.id }, data: { deployed: true } }),
    ],
    [
      "an API key is created",
      (f) =>
        db.chatBotAPIKey.create({
          data: { chatbotId: f.chatbot.id, keyHash: "f".repeat(64), prefix: "bg_new" },
        }),
    ],
    [
      "an API key is revoked",
      (f) =>
        db.chatBotAPIKey.update({
          where: { id: f.key.id },
          data: { isActive: false, revokedAt: new Date() },
        }),
    ],
    ["an API key is deleted", (f) => db.chatBotAPIKey.delete({ where: { id: f.key.id } })],
    [
      "a function is enabled",
      (f) => db.chatBotFunctions.create({ data: { chatbotId: f.chatbot.id, name: "calculator" } }),
    ],
    [
      "the custom domain is verified",
      (f) => db.chatBotCustomDomain.update({ where: { id: f.domain.id }, data: { isVerified: true } }),
    ],
    [
      "the account is suspended",
      (f) => db.account.update({ where: { id: f.account.id }, data: { isActive: false } }),
    ],
    [
      "the owner becomes an account admin",
      (f) => db.userProfile.update({ where: { id: f.profile.id }, data: { isAccountAdmin: true } }),
    ],
    [
      "the owner is renamed",
      (f) => db.user.update({ where: { id: f.user.id }, data: { username: `renamed${f.user.id}` } }),
    ],
  ])("moves when %s", async (_change, change) => {
    const fixture = await newChatbot();
    const before = await versionOf(fixture.chatbot.id);
    await change(fixture);
    expect(await versionOf(fixture.chatbot.id)).toBeGreaterThan(before);
  });

  it("moves when a function is disabled", async () => {
    const fixture = await newChatbot();
    const fn = await db.chatBotFunctions.create({
      data: { chatbotId: fixture.chatbot.id, name: "calculator" },
    });
    const before = await versionOf(fixture.chatbot.id);
    await db.chatBotFunctions.delete({ where: { id: fn.id } });
    expect(await versionOf(fixture.chatbot.id)).toBeGreaterThan(before);
  });

  it.each<[string, (f: Fixture) => Promise<unknown>]>([
    [
      "an API key's lastUsedAt hint is written",
      (f) => db.chatBotAPIKey.update({ where: { id: f.key.id }, data: { lastUsedAt: new Date() } }),
    ],
    [
      "an API key is renamed",
      (f) => db.chatBotAPIKey.update({ where: { id: f.key.id }, data: { name: "renamed" } }),
    ],
    [
      "the account's company name changes",
      (f) => db.account.update({ where: { id: f.account.id }, data: { companyName: "Acme" } }),
    ],
    [
      "the owner's email changes",
      (f) => db.user.update({ where: { id: f.user.id }, data: { email: "owner@example.com" } }),
    ],
    [
      "another account's chatbot changes",
      async () => {
        const other = await newChatbot();
        await db.chatBot.update({ where: { id: other.chatbot.id }, data: { deployed: true } });
      },
    ],
  ])("stays when %s", async (_change, change) => {
    const fixture = await newChatbot();
    const before = await versionOf(fixture.chatbot.id);
    await change(fixture);
    expect(await versionOf(fixture.chatbot.id)).toBe(before);
  });
});
