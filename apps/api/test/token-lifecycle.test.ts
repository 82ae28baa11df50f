// Admin tokens have a lifecycle: they expire (90 days unless their creator chooses, at most
// 365), their owner lists and revokes them, an account admin lists and revokes a member's,
// and removing a member ends every token of theirs. Who may not do what is in
// procedures.security.test.ts; this file is what the allowed callers get.
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ADMIN_TOKEN_DEFAULT_LIFETIME_DAYS,
  bootstrapAccount,
  createTokenFor,
  removeMemberByUsername,
} from "@botgate/api";
import { createDatabaseClient, migrate, migrationsDir } from "@botgate/db";
import { createEmptyTestDatabase } from "@botgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  adminClient,
  createAccount,
  createMember,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

const DAY_MS = 24 * 60 * 60 * 1000;

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server, "keeper");
});
afterAll(async () => {
  await server?.close();
});

/** Within a minute of `days` from now. */
function expectExpiryIn(expiresAt: Date | null, days: number) {
  expect(expiresAt).toBeInstanceOf(Date);
  expect(Math.abs(expiresAt!.getTime() - (Date.now() + days * DAY_MS))).toBeLessThan(60_000);
}

const tokenRow = (id: number) => server.runtime.db.adminToken.findUniqueOrThrow({ where: { id } });

describe("token expiry", () => {
  it("defaults to 90 days for bootstrap, member, CLI and API tokens", async () => {
    expect(ADMIN_TOKEN_DEFAULT_LIFETIME_DAYS).toBe(90);
    const member = await createMember(server, admin.accountNumber);
    const bootstrapAndMember = await server.runtime.db.adminToken.findMany({
      where: { userProfileId: { in: [admin.userProfileId, member.userProfileId] } },
    });
    expect(bootstrapAndMember).toHaveLength(2);
    for (const row of bootstrapAndMember) expectExpiryIn(row.expiresAt, 90);

    const cli = await createTokenFor(server.runtime.db, {
      accountNumber: admin.accountNumber,
      username: member.username,
    });
    expectExpiryIn((await tokenRow(cli.id)).expiresAt, 90);

    const api = await member.client.account.tokens.create.mutate({ name: "laptop" });
    expectExpiryIn(api.expiresAt, 90);
  });

  it("takes a chosen lifetime of 1 to 365 days, never more", async () => {
    const week = await admin.client.account.tokens.create.mutate({ name: "ci", expiresInDays: 7 });
    expectExpiryIn(week.expiresAt, 7);
    expectExpiryIn((await tokenRow(week.id)).expiresAt, 7);
    for (const expiresInDays of [0, 366, 1.5]) {
      await expectTRPCError(admin.client.account.tokens.create.mutate({ expiresInDays }), "BAD_REQUEST");
    }
    await expect(
      createTokenFor(server.runtime.db, {
        accountNumber: admin.accountNumber,
        username: admin.username,
        expiresInDays: 400,
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("gives tokens from before the rule the default lifetime (migration 20261201220000_token_lifecycle)", async () => {
    const database = await createEmptyTestDatabase();
    const before = await mkdtemp(join(tmpdir(), "botgate-migrations-"));
    // One client at a time: the embedded database serves a single connection.
    const connect = () => createDatabaseClient(database.url, { maxConnections: 1 });
    try {
      await cp(migrationsDir, before, {
        recursive: true,
        filter: (source) => !source.includes("20261201220000_token_lifecycle"),
      });
      await migrate(database.url, before);
      const legacy = connect();
      const account = await bootstrapAccount(legacy, { username: "legacy" });
      await legacy.adminToken.updateMany({ data: { expiresAt: null } });
      const revoked = await legacy.adminToken.create({
        data: {
          userProfileId: account.userProfileId,
          tokenHash: "r".repeat(64),
          prefix: "bga_r",
          revokedAt: new Date(),
        },
      });
      await legacy.$disconnect();

      expect((await migrate(database.url)).applied).toEqual(["20261201220000_token_lifecycle"]);
      const db = connect();
      const rows = await db.adminToken.findMany({ orderBy: { id: "asc" } });
      await db.$disconnect();
      expectExpiryIn(rows[0]!.expiresAt, 90);
      // A revoked token keeps its state: nothing to extend.
      expect(rows.find((r) => r.id === revoked.id)?.expiresAt).toBeNull();
    } finally {
      await database.close();
      await rm(before, { recursive: true, force: true });
    }
  });

  it("refuses a token once it has expired", async () => {
    const created = await admin.client.account.tokens.create.mutate({ expiresInDays: 1 });
    const client = adminClient(server, { token: created.token });
    await client.account.me.query();
    await server.runtime.db.adminToken.update({
      where: { id: created.id },
      data: { expiresAt: new Date(Date.now() - 1_000) },
    });
    await expectTRPCError(client.account.me.query(), "UNAUTHORIZED");
    const listed = await admin.client.account.tokens.list.query();
    expect(listed.items.find((t) => t.id === created.id)?.status).toBe("expired");
  });
});

describe("account.tokens", () => {
  it("shows the plaintext once and lists only prefixes, never hashes", async () => {
    const user = await createAccount(server, "lister");
    const created = await user.client.account.tokens.create.mutate({ name: "deploy bot" });
    expect(created.token.startsWith(created.prefix)).toBe(true);
    const page = await user.client.account.tokens.list.query();
    expect(page.items.map((t) => t.name)).toEqual(["bootstrap", "deploy bot"]);
    const serialized = JSON.stringify(page);
    expect(serialized).not.toContain(created.token);
    expect(serialized).not.toMatch(/hash/i);
    expect(page.items.every((t) => t.status === "active" && t.userProfileId === user.userProfileId)).toBe(
      true,
    );
  });

  it("lets a user revoke their own token, the one in use included", async () => {
    const user = await createAccount(server, "revoker");
    const spare = await user.client.account.tokens.create.mutate({ name: "spare" });
    const spareClient = adminClient(server, { token: spare.token });
    const revoked = await user.client.account.tokens.revoke.mutate({ id: spare.id });
    expect(revoked).toMatchObject({ id: spare.id, status: "revoked", revokedAt: expect.any(Date) });
    await expectTRPCError(spareClient.account.me.query(), "UNAUTHORIZED");
    // Again: idempotent, the same answer.
    expect((await user.client.account.tokens.revoke.mutate({ id: spare.id })).revokedAt).toEqual(
      revoked.revokedAt,
    );

    const [own] = (await user.client.account.tokens.list.query()).items;
    await user.client.account.tokens.revoke.mutate({ id: own!.id });
    await expectTRPCError(user.client.account.me.query(), "UNAUTHORIZED");
  });

  it("lets an account admin list and revoke a member's tokens", async () => {
    const member = await createMember(server, admin.accountNumber);
    const page = await admin.client.account.tokens.list.query({ userProfileId: member.userProfileId });
    expect(page.items).toHaveLength(1);
    const [token] = page.items;
    expect(token).toMatchObject({ userProfileId: member.userProfileId, status: "active" });
    await admin.client.account.tokens.revoke.mutate({ id: token!.id });
    await expectTRPCError(member.client.account.me.query(), "UNAUTHORIZED");
  });

  it("does not let a member reach an admin's tokens", async () => {
    const member = await createMember(server, admin.accountNumber);
    const [adminToken] = (await admin.client.account.tokens.list.query()).items;
    await expectTRPCError(
      member.client.account.tokens.list.query({ userProfileId: admin.userProfileId }),
      "FORBIDDEN",
    );
    await expectTRPCError(member.client.account.tokens.revoke.mutate({ id: adminToken!.id }), "NOT_FOUND");
    expect((await tokenRow(adminToken!.id)).revokedAt).toBeNull();
  });
});

describe("account.members", () => {
  it("lists the account's members with their chatbots and active tokens", async () => {
    const owner = await createAccount(server, "roster");
    const member = await createMember(server, owner.accountNumber);
    await member.client.chatbot.create.mutate({ name: "rosterbot" });
    const page = await owner.client.account.members.list.query();
    expect(page.items).toEqual([
      expect.objectContaining({ userProfileId: owner.userProfileId, isAccountAdmin: true, chatbots: 0 }),
      expect.objectContaining({
        userProfileId: member.userProfileId,
        username: member.username,
        isAccountAdmin: false,
        chatbots: 1,
        activeTokens: 1,
      }),
    ]);
  });

  it("removing a member ends every token of theirs", async () => {
    const owner = await createAccount(server, "remover");
    const member = await createMember(server, owner.accountNumber);
    const second = await member.client.account.tokens.create.mutate({ name: "second" });
    const removed = await owner.client.account.members.remove.mutate({ userProfileId: member.userProfileId });
    expect(removed).toEqual({
      userProfileId: member.userProfileId,
      username: member.username,
      revokedTokens: 2,
    });
    await expectTRPCError(member.client.account.me.query(), "UNAUTHORIZED");
    await expectTRPCError(adminClient(server, { token: second.token }).account.me.query(), "UNAUTHORIZED");
    expect(await server.runtime.db.adminToken.count({ where: { userProfileId: member.userProfileId } })).toBe(
      0,
    );
    const event = await server.runtime.db.chatBotEvent.findFirstOrThrow({
      where: { accountId: owner.accountId, type: "member.removed" },
    });
    expect(event.data).toMatchObject({ userProfileId: member.userProfileId, by: owner.userProfileId });
    // Gone from the account; removing again is not found.
    await expectTRPCError(
      owner.client.account.members.remove.mutate({ userProfileId: member.userProfileId }),
      "NOT_FOUND",
    );
  });

  it("refuses to remove a member who still owns chatbots, until they are deleted", async () => {
    const owner = await createAccount(server, "guard");
    const member = await createMember(server, owner.accountNumber);
    const bot = await member.client.chatbot.create.mutate({ name: "keepme" });
    const refused = await expectTRPCError(
      owner.client.account.members.remove.mutate({ userProfileId: member.userProfileId }),
      "CONFLICT",
    );
    expect(refused.message).toMatch(/owns 1 chatbot/);
    await member.client.account.me.query();
    await owner.client.chatbot.delete.mutate({ id: bot.id });
    await owner.client.account.members.remove.mutate({ userProfileId: member.userProfileId });
  });

  it("never removes the account's last admin, even when two admins remove each other at once", async () => {
    const owner = await createAccount(server, "lastadmin");
    const refused = await expectTRPCError(
      owner.client.account.members.remove.mutate({ userProfileId: owner.userProfileId }),
      "CONFLICT",
    );
    expect(refused.message).toMatch(/last admin/);

    const other = await createMember(server, owner.accountNumber, { isAccountAdmin: true });
    const outcomes = await Promise.allSettled([
      owner.client.account.members.remove.mutate({ userProfileId: other.userProfileId }),
      other.client.account.members.remove.mutate({ userProfileId: owner.userProfileId }),
    ]);
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
    const admins = await server.runtime.db.userProfile.count({
      where: { accountId: owner.accountId, isAccountAdmin: true },
    });
    expect(admins).toBe(1);
  });

  it("lets an operator remove a member by username (botgate member remove)", async () => {
    const owner = await createAccount(server, "operator");
    const member = await createMember(server, owner.accountNumber);
    const removed = await removeMemberByUsername(server.runtime.db, {
      accountNumber: owner.accountNumber,
      username: member.username,
    });
    expect(removed).toMatchObject({ userProfileId: member.userProfileId, revokedTokens: 1 });
    await expectTRPCError(member.client.account.me.query(), "UNAUTHORIZED");
    await expect(
      removeMemberByUsername(server.runtime.db, {
        accountNumber: owner.accountNumber,
        username: owner.username,
      }),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });
});
