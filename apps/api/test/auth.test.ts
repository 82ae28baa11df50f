import { createAdminToken, LAST_USED_RESOLUTION_MS } from "@botgate/api";
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

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

const tokenRow = (userProfileId: number) =>
  server.runtime.db.adminToken.findFirstOrThrow({ where: { userProfileId }, orderBy: { id: "desc" } });

describe("account.me", () => {
  it("answers the authenticated caller", async () => {
    expect(await admin.client.account.me.query()).toEqual({
      userId: admin.userId,
      username: admin.username,
      userProfileId: admin.userProfileId,
      accountId: admin.accountId,
      accountNumber: admin.accountNumber,
      isAccountAdmin: true,
    });
    const member = await createMember(server, admin.accountNumber);
    expect(await member.client.account.me.query()).toMatchObject({
      isAccountAdmin: false,
      username: member.username,
    });
  });
});

describe("admin tokens", () => {
  it("accepts the Bearer scheme in any case", async () => {
    const client = adminClient(server, { authorization: `bearer ${admin.token}` });
    expect((await client.account.me.query()).userId).toBe(admin.userId);
  });

  it("records lastUsedAt on first use and at most once a minute after that", async () => {
    const user = await createAccount(server, "clock");
    expect((await tokenRow(user.userProfileId)).lastUsedAt).toBeNull();
    await user.client.account.me.query();
    const firstUse = (await tokenRow(user.userProfileId)).lastUsedAt;
    expect(firstUse).toBeInstanceOf(Date);
    await user.client.account.me.query();
    await user.client.chatbot.list.query();
    expect((await tokenRow(user.userProfileId)).lastUsedAt).toEqual(firstUse);

    const longAgo = new Date(Date.now() - LAST_USED_RESOLUTION_MS - 1_000);
    await server.runtime.db.adminToken.updateMany({
      where: { userProfileId: user.userProfileId },
      data: { lastUsedAt: longAgo },
    });
    await user.client.account.me.query();
    expect((await tokenRow(user.userProfileId)).lastUsedAt!.getTime()).toBeGreaterThan(
      longAgo.getTime() + 1_000,
    );
  });

  it("refuses revoked and expired tokens and inactive accounts with UNAUTHORIZED", async () => {
    const user = await createAccount(server, "lifecycle");
    const expiring = await createAdminToken(
      server.runtime.db,
      user.userProfileId,
      "short",
      new Date(Date.now() - 1),
    );
    const expired = await expectTRPCError(
      adminClient(server, { token: expiring.token }).account.me.query(),
      "UNAUTHORIZED",
    );
    expect(expired.message).toMatch(/expired/);

    const revocable = await createAdminToken(server.runtime.db, user.userProfileId, "revocable");
    const client = adminClient(server, { token: revocable.token });
    await client.account.me.query();
    await server.runtime.db.adminToken.update({
      where: { id: revocable.id },
      data: { revokedAt: new Date() },
    });
    expect((await expectTRPCError(client.account.me.query(), "UNAUTHORIZED")).message).toMatch(/revoked/);

    await server.runtime.db.account.update({ where: { id: user.accountId }, data: { isActive: false } });
    expect((await expectTRPCError(user.client.account.me.query(), "UNAUTHORIZED")).message).toMatch(
      /inactive/,
    );
  });

  it("answers UNAUTHORIZED before validating input, so anonymous callers learn nothing", async () => {
    const anonymous = adminClient(server, null);
    await expectTRPCError(anonymous.chatbot.get.query({ id: -1 }), "UNAUTHORIZED");
  });
});
