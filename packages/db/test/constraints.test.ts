import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabaseClient, type DatabaseClient } from "../src/index.ts";
import { createTestDatabase, type TestDatabase } from "../src/testing.ts";

let testDb: TestDatabase;
let db: DatabaseClient;
let counter = 0;

const accountNumber = () =>
  `9${String(process.pid % 1000).padStart(3, "0")}-0000-${String(++counter).padStart(4, "0")}`;

async function accountWithProfile(username: string) {
  const account = await db.account.create({ data: { accountNumber: accountNumber() } });
  const user = await db.user.create({ data: { username: `${username}-${counter}-${Date.now()}` } });
  const profile = await db.userProfile.create({
    data: { userId: user.id, accountId: account.id, isAccountAdmin: true },
  });
  return { account, profile };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  db = createDatabaseClient(testDb.url, { maxConnections: testDb.maxConnections });
});

afterAll(async () => {
  await db?.$disconnect();
  await testDb?.close();
});

describe("database guarantees", () => {
  it("never lets an account number change once issued", async () => {
    const { account } = await accountWithProfile("imm");
    await expect(
      db.account.update({ where: { id: account.id }, data: { accountNumber: "1111-2222-3333" } }),
    ).rejects.toThrow(/immutable/);
    const reread = await db.account.findUniqueOrThrow({ where: { id: account.id } });
    expect(reread.accountNumber).toBe(account.accountNumber);
    // Other columns stay editable.
    await db.account.update({ where: { id: account.id }, data: { companyName: "Acme" } });
  });

  it("rejects account numbers that are not dddd-dddd-dddd", async () => {
    for (const bad of ["1234-5678-901", "abcd-efgh-ijkl", "123456789012", "1234-5678-90123"]) {
      await expect(db.account.create({ data: { accountNumber: bad } })).rejects.toThrow();
    }
  });

  it("keeps account numbers unique", async () => {
    const { account } = await accountWithProfile("uniq");
    await expect(db.account.create({ data: { accountNumber: account.accountNumber } })).rejects.toThrow(
      /Unique constraint/,
    );
  });

  it("gives one custom domain to one account across the whole platform", async () => {
    const a = await accountWithProfile("a");
    const b = await accountWithProfile("b");
    const domainName = `shop-${counter}.example.org`;
    const base = { domainName, verificationToken: "t" };
    await db.chatBotCustomDomain.create({
      data: { ...base, userProfileId: a.profile.id, accountId: a.account.id },
    });
    await expect(
      db.chatBotCustomDomain.create({
        data: { ...base, userProfileId: b.profile.id, accountId: b.account.id },
      }),
    ).rejects.toThrow(/Unique constraint/);
  });

  it("stores only normalized domain names, so uniqueness holds on the normalized form", async () => {
    const a = await accountWithProfile("norm");
    for (const bad of [
      "Shop.Example.org",
      "shop.example.org.",
      "-shop.example.org",
      "shop",
      "bücher.example",
    ]) {
      await expect(
        db.chatBotCustomDomain.create({
          data: {
            domainName: bad,
            verificationToken: "t",
            userProfileId: a.profile.id,
            accountId: a.account.id,
          },
        }),
      ).rejects.toThrow();
    }
  });

  it("refuses a chatbot whose account differs from its owner's account", async () => {
    const a = await accountWithProfile("own");
    const b = await accountWithProfile("other");
    await expect(
      db.chatBot.create({ data: { name: "mixed", userProfileId: a.profile.id, accountId: b.account.id } }),
    ).rejects.toThrow(/Foreign key constraint/);
  });

  it("refuses to attach another account's custom domain to a chatbot", async () => {
    const a = await accountWithProfile("dom-a");
    const b = await accountWithProfile("dom-b");
    const foreign = await db.chatBotCustomDomain.create({
      data: {
        domainName: `foreign-${counter}.example.org`,
        verificationToken: "t",
        userProfileId: b.profile.id,
        accountId: b.account.id,
      },
    });
    await expect(
      db.chatBot.create({
        data: {
          name: "thief",
          userProfileId: a.profile.id,
          accountId: a.account.id,
          customDomainId: foreign.id,
        },
      }),
    ).rejects.toThrow(/Foreign key constraint/);
  });

  it("applies the seed's defaults to a new chatbot", async () => {
    const a = await accountWithProfile("defaults");
    const bot = await db.chatBot.create({
      data: { name: "helper", userProfileId: a.profile.id, accountId: a.account.id },
    });
    expect(bot).toMatchObject({
      deployed: false,
      provider: "openai",
      version: "1.0.0",
      dnsVerificationStatus: "NotVerified",
      tlsCertificateIssuanceStatus: "NoCertificate",
      appExamplePrompts: [],
      annotations: {},
      appFileAttachment: false,
    });
    await expect(
      db.chatBot.create({ data: { name: "helper", userProfileId: a.profile.id, accountId: a.account.id } }),
    ).rejects.toThrow(/Unique constraint/);
  });
});
