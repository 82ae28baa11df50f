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

  it("lets several accounts claim one domain name, each once, and only one of them hold it verified", async () => {
    const a = await accountWithProfile("a");
    const b = await accountWithProfile("b");
    const domainName = `shop-${counter}.example.org`;
    const base = { domainName, verificationToken: "t" };
    const claimOf = (owner: typeof a) => ({
      data: { ...base, userProfileId: owner.profile.id, accountId: owner.account.id },
    });
    const first = await db.chatBotCustomDomain.create(claimOf(a));
    const second = await db.chatBotCustomDomain.create(claimOf(b));
    await expect(db.chatBotCustomDomain.create(claimOf(a))).rejects.toThrow(/Unique constraint/);
    await db.chatBotCustomDomain.update({ where: { id: first.id }, data: { isVerified: true } });
    await expect(
      db.chatBotCustomDomain.update({ where: { id: second.id }, data: { isVerified: true } }),
    ).rejects.toThrow(/Unique constraint/);
  });

  it("derives a chatbot's customHost from its label and verified domain, and keeps it unique", async () => {
    const a = await accountWithProfile("hosts");
    const owner = { userProfileId: a.profile.id, accountId: a.account.id };
    const domain = await db.chatBotCustomDomain.create({
      data: { ...owner, domainName: `hosts-${counter}.example.org`, verificationToken: "t" },
    });
    const bot = await db.chatBot.create({
      data: {
        ...owner,
        name: "front",
        hostLabel: "front",
        customDomainId: domain.id,
        customHost: "forged.example",
      },
    });
    expect(bot.customHost).toBeNull();
    await db.chatBotCustomDomain.update({ where: { id: domain.id }, data: { isVerified: true } });
    const host = `front.${domain.domainName}`;
    expect((await db.chatBot.findUniqueOrThrow({ where: { id: bot.id } })).customHost).toBe(host);
    await expect(
      db.chatBot.update({ where: { id: bot.id }, data: { customHost: "x.example" } }),
    ).resolves.toMatchObject({ customHost: host });
    // A second chatbot of the account with the same label (its default host) is refused.
    await expect(
      db.chatBot.create({ data: { ...owner, name: "Front", hostLabel: "front" } }),
    ).rejects.toThrow(/Unique constraint/);
    await db.chatBotCustomDomain.update({ where: { id: domain.id }, data: { isVerified: false } });
    expect((await db.chatBot.findUniqueOrThrow({ where: { id: bot.id } })).customHost).toBeNull();
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
