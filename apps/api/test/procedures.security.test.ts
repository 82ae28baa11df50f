// Every procedure of the admin API, called by every kind of caller who must not get through:
// no token, malformed tokens, revoked and expired tokens, an inactive account, another
// account's ids, and a member on another member's resources (their tokens and membership too). The procedure list comes from
// the router itself, so a procedure added without a case here fails this suite.
import { appRouter, createAdminToken } from "@botgate/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  type AdminClient,
  adminClient,
  createAccount,
  createMember,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

/** The resources a call is aimed at. */
interface Target {
  chatbotId: number;
  domainId: number;
  domainName: string;
  apiKeyId: number;
  /** An LLM provider record of the target's account. */
  providerId: number;
  /** The owner's membership, and one of their admin tokens. */
  userProfileId: number;
  adminTokenId: number;
  /** A webhook endpoint of the account (created by its admin). */
  webhookEndpointId: number;
}

type Expectation =
  | { error: "NOT_FOUND" | "FORBIDDEN" | "CONFLICT" }
  /** The call is allowed; `check` proves it revealed or touched nothing of the target's owner. */
  | { check(result: unknown, target: Target, caller: TestUser): void };

interface SecurityCase {
  call(client: AdminClient, target: Target): Promise<unknown>;
  /** With another account's ids (or, without ids, what crossing accounts means for it). */
  otherAccount: Expectation;
  /** A member with another member's ids, in the same account. */
  otherMember: Expectation;
}

const notFound = { error: "NOT_FOUND" } as const;
const forbidden = { error: "FORBIDDEN" } as const;
const idsOf = (page: unknown) => (page as { items: { id: number }[] }).items.map((item) => item.id);
const profileIdsOf = (page: unknown) =>
  (page as { items: { userProfileId: number }[] }).items.map((item) => item.userProfileId);
const ownTokenOf = (token: unknown, caller: TestUser) =>
  expect(token).toMatchObject({ userProfileId: caller.userProfileId, status: "active" });

const providerIdsOf = (list: unknown) => (list as { items: { id: number }[] }).items.map((item) => item.id);
/** The victims' provider key, and where probes point theirs (nothing listens on port 9). */
const PROVIDER_KEY = "sk-victim-provider-key-1234";
const VICTIM_PROVIDER_URL = "http://127.0.0.1:9/victim/v1";
const PROBE_URL = "http://127.0.0.1:9/probe/v1";

let names = 0;
const freshName = () => `probe${++names}`;

const CASES: Record<string, SecurityCase> = {
  "account.me": {
    call: (c) => c.account.me.query(),
    otherAccount: { check: (me, _t, caller) => expect(me).toMatchObject({ accountId: caller.accountId }) },
    otherMember: {
      check: (me, _t, caller) => expect(me).toMatchObject({ userProfileId: caller.userProfileId }),
    },
  },
  "account.tokens.list": {
    call: (c, t) => c.account.tokens.list.query({ userProfileId: t.userProfileId }),
    otherAccount: notFound,
    // Only account admins see another member's tokens.
    otherMember: forbidden,
  },
  "account.tokens.create": {
    call: (c) => c.account.tokens.create.mutate({ name: "probe" }),
    // A token is always the caller's own.
    otherAccount: { check: (token, _t, caller) => ownTokenOf(token, caller) },
    otherMember: { check: (token, _t, caller) => ownTokenOf(token, caller) },
  },
  "account.tokens.revoke": {
    call: (c, t) => c.account.tokens.revoke.mutate({ id: t.adminTokenId }),
    otherAccount: notFound,
    // A member's scope holds their own tokens only.
    otherMember: notFound,
  },
  "account.members.list": {
    call: (c) => c.account.members.list.query(),
    otherAccount: { check: (page, t) => expect(profileIdsOf(page)).not.toContain(t.userProfileId) },
    otherMember: forbidden,
  },
  "account.members.remove": {
    call: (c, t) => c.account.members.remove.mutate({ userProfileId: t.userProfileId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "chatbot.list": {
    call: (c) => c.chatbot.list.query({ limit: 100 }),
    otherAccount: { check: (page, t) => expect(idsOf(page)).not.toContain(t.chatbotId) },
    otherMember: { check: (page, t) => expect(idsOf(page)).not.toContain(t.chatbotId) },
  },
  "chatbot.get": {
    call: (c, t) => c.chatbot.get.query({ id: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.create": {
    call: (c, t) => c.chatbot.create.mutate({ name: freshName(), customDomainId: t.domainId }),
    otherAccount: notFound,
    // Domains belong to the account: a member may attach one; the chatbot is the member's own.
    otherMember: {
      check: (bot, _t, caller) =>
        expect(bot).toMatchObject({ owner: { userProfileId: caller.userProfileId } }),
    },
  },
  "chatbot.update": {
    call: (c, t) => c.chatbot.update.mutate({ id: t.chatbotId, description: "tampered" }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.delete": {
    call: (c, t) => c.chatbot.delete.mutate({ id: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.deploy": {
    call: (c, t) => c.chatbot.deploy.mutate({ id: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.undeploy": {
    call: (c, t) => c.chatbot.undeploy.mutate({ id: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.functions.list": {
    call: (c, t) => c.chatbot.functions.list.query({ chatbotId: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.functions.enable": {
    call: (c, t) => c.chatbot.functions.enable.mutate({ chatbotId: t.chatbotId, name: "calculator" }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.functions.disable": {
    call: (c, t) => c.chatbot.functions.disable.mutate({ chatbotId: t.chatbotId, name: "date_calculator" }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "chatbot.events": {
    call: (c, t) => c.chatbot.events.query({ id: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "domain.events": {
    call: (c, t) => c.domain.events.query({ id: t.domainId }),
    otherAccount: notFound,
    // Every member sees the account's domains, and so their history.
    otherMember: {
      check: (page, t) => {
        const items = (page as { items: { customDomainId: number | null }[] }).items;
        expect(items.length).toBeGreaterThan(0);
        for (const item of items) expect(item.customDomainId).toBe(t.domainId);
      },
    },
  },
  "domain.list": {
    call: (c) => c.domain.list.query({ limit: 100 }),
    otherAccount: { check: (page, t) => expect(idsOf(page)).not.toContain(t.domainId) },
    // Every member sees the account's domains.
    otherMember: { check: (page, t) => expect(idsOf(page)).toContain(t.domainId) },
  },
  "domain.get": {
    call: (c, t) => c.domain.get.query({ id: t.domainId }),
    otherAccount: notFound,
    otherMember: { check: (domain, t) => expect(domain).toMatchObject({ id: t.domainId }) },
  },
  "domain.create": {
    call: (c, t) => c.domain.create.mutate({ domainName: t.domainName }),
    // The other account's claim is pending: a claim of the caller's own, telling nothing of it.
    otherAccount: {
      check: (domain, t, caller) => {
        const view = domain as { id: number; domainName: string; owner: { userProfileId: number } };
        expect(view).toMatchObject({
          domainName: t.domainName,
          owner: { userProfileId: caller.userProfileId },
        });
        expect(view.id).not.toBe(t.domainId);
      },
    },
    otherMember: forbidden,
  },
  "domain.verify": {
    call: (c, t) => c.domain.verify.mutate({ id: t.domainId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "domain.delete": {
    call: (c, t) => c.domain.delete.mutate({ id: t.domainId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "apiKey.create": {
    call: (c, t) => c.apiKey.create.mutate({ chatbotId: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "apiKey.list": {
    call: (c, t) => c.apiKey.list.query({ chatbotId: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "apiKey.revoke": {
    call: (c, t) => c.apiKey.revoke.mutate({ id: t.apiKeyId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "event.onChange": {
    // Filtered to the target's chatbot: refused like any lookup of it. (Unfiltered streams
    // carry only the caller's scope: event-stream.test.ts.)
    call: (c, t) => firstOutcome(c, { chatbotId: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
  "provider.list": {
    call: (c) => c.provider.list.query(),
    otherAccount: { check: (list, t) => expect(providerIdsOf(list)).not.toContain(t.providerId) },
    // Members pick providers for their chatbots: they see the account's (never their keys).
    otherMember: {
      check: (list, t) => {
        expect(providerIdsOf(list)).toContain(t.providerId);
        expect(JSON.stringify(list)).not.toContain(PROVIDER_KEY);
      },
    },
  },
  "provider.create": {
    call: (c) =>
      c.provider.create.mutate({ name: freshName(), baseUrl: PROBE_URL, apiKey: "sk-probe-key-0000" }),
    // Always the caller's own account's record.
    otherAccount: {
      check: (view, t) => expect((view as { id: number }).id).not.toBe(t.providerId),
    },
    otherMember: forbidden,
  },
  "provider.update": {
    call: (c, t) =>
      c.provider.update.mutate({ id: t.providerId, baseUrl: PROBE_URL, apiKey: "sk-stolen-0000" }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "provider.delete": {
    call: (c, t) => c.provider.delete.mutate({ id: t.providerId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "provider.test": {
    call: (c, t) => c.provider.test.mutate({ id: t.providerId, model: "m" }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "webhook.create": {
    call: (c) => c.webhook.create.mutate({ url: "http://127.0.0.1:9/probe" }),
    // An endpoint is always the caller's account's own.
    otherAccount: {
      check: (endpoint, t) => {
        expect(endpoint).toMatchObject({ url: "http://127.0.0.1:9/probe" });
        expect((endpoint as { id: number }).id).not.toBe(t.webhookEndpointId);
      },
    },
    otherMember: forbidden,
  },
  "webhook.list": {
    call: (c) => c.webhook.list.query(),
    otherAccount: {
      check: (list, t) =>
        expect((list as { id: number }[]).map((e) => e.id)).not.toContain(t.webhookEndpointId),
    },
    // Every member sees the account's endpoints, never their secrets.
    otherMember: {
      check: (list, t) => {
        const endpoints = list as Record<string, unknown>[];
        expect(endpoints.map((e) => e.id)).toContain(t.webhookEndpointId);
        for (const endpoint of endpoints) expect(endpoint).not.toHaveProperty("secret");
      },
    },
  },
  "webhook.delete": {
    call: (c, t) => c.webhook.delete.mutate({ id: t.webhookEndpointId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "webhook.enable": {
    call: (c, t) => c.webhook.enable.mutate({ id: t.webhookEndpointId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "webhook.test": {
    call: (c, t) => c.webhook.test.mutate({ id: t.webhookEndpointId }),
    otherAccount: notFound,
    otherMember: forbidden,
  },
  "webhook.deliveries": {
    call: (c, t) => c.webhook.deliveries.query({ id: t.webhookEndpointId }),
    otherAccount: notFound,
    otherMember: { check: (page) => expect(page).toMatchObject({ items: expect.any(Array) }) },
  },
  "request.list": {
    call: (c, t) => c.request.list.query({ chatbotId: t.chatbotId }),
    otherAccount: notFound,
    otherMember: notFound,
  },
};

/**
 * A subscription's first error. SSE opens the stream before the procedure runs, so its
 * refusal arrives as the stream's first message; a stream that stays silent until the deadline
 * counts as allowed (null) and fails every case here, which all expect a refusal.
 */
function firstOutcome(client: AdminClient, input: { chatbotId: number }): Promise<null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve(null);
    }, 10_000);
    const subscription = client.event.onChange.subscribe(input, {
      onData: () => {
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(null);
      },
      onError: (error) => {
        clearTimeout(timer);
        subscription.unsubscribe();
        reject(error);
      },
    });
  });
}

const PROCEDURES = Object.keys(appRouter._def.procedures).sort();

let dns: TestDnsServer;
let server: TestServer;
/** Account A: its admin, an attacking member and a victim member. */
let adminA: TestUser;
let attackerMember: TestUser;
let victimMemberTarget: Target;
/** Account B: the victim of cross-account calls. */
let adminB: TestUser;
let accountBTarget: Target;

async function targetOf(owner: TestUser, domainOwner: TestUser, domainName: string): Promise<Target> {
  const bot = await owner.client.chatbot.create.mutate({ name: "victim" });
  await owner.client.chatbot.deploy.mutate({ id: bot.id });
  const key = await owner.client.apiKey.create.mutate({ chatbotId: bot.id });
  await owner.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name: "date_calculator" });
  const domain = await domainOwner.client.domain.create.mutate({ domainName });
  const token = await createAdminToken(server.runtime.db, owner.userProfileId, "victim");
  const provider = await domainOwner.client.provider.create.mutate({
    name: "victim-llm",
    baseUrl: VICTIM_PROVIDER_URL,
    apiKey: PROVIDER_KEY,
    defaultModel: "m",
  });
  // Nothing listens on port 9 (discard): no test of it ever succeeds.
  const endpoint = await domainOwner.client.webhook.create.mutate({ url: "http://127.0.0.1:9/victim" });
  return {
    chatbotId: bot.id,
    domainId: domain.id,
    domainName: domain.domainName,
    apiKeyId: key.id,
    providerId: provider.id,
    userProfileId: owner.userProfileId,
    adminTokenId: token.id,
    webhookEndpointId: endpoint.id,
  };
}

beforeAll(async () => {
  // The world's DNS delegates nothing: the victims' domains stay pending claims throughout.
  dns = await startTestDnsServer();
  server = await startTestServer({ env: { DNS_RESOLVERS: dns.address } });
  adminA = await createAccount(server, "alpha");
  attackerMember = await createMember(server, adminA.accountNumber, { username: "mallory" });
  const victimMember = await createMember(server, adminA.accountNumber, { username: "victor" });
  victimMemberTarget = await targetOf(victimMember, adminA, "alpha-owned.com");
  adminB = await createAccount(server, "bravo");
  accountBTarget = await targetOf(adminB, adminB, "bravo-owned.com");
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

async function expectOutcome(
  expectation: Expectation,
  call: Promise<unknown>,
  target: Target,
  caller: TestUser,
) {
  if ("error" in expectation) await expectTRPCError(call, expectation.error);
  else expectation.check(await call, target, caller);
}

function caseFor(procedure: string): SecurityCase {
  const found = CASES[procedure];
  if (!found) throw new Error(`procedure ${procedure} has no security case: add one to CASES`);
  return found;
}

describe("the security cases", () => {
  it("cover exactly the router's procedures", () => {
    expect(PROCEDURES.length).toBeGreaterThan(0);
    expect(Object.keys(CASES).sort()).toEqual(PROCEDURES);
  });
});

describe.each(PROCEDURES)("%s", (procedure) => {
  it("refuses a call without a token (UNAUTHORIZED)", async () => {
    await expectTRPCError(caseFor(procedure).call(adminClient(server, null), accountBTarget), "UNAUTHORIZED");
  });

  it("refuses malformed tokens and headers (UNAUTHORIZED)", async () => {
    for (const authorization of [
      "Bearer",
      "Bearer ",
      `Basic ${Buffer.from("admin:admin").toString("base64")}`,
      adminB.token,
      `Bearer ${adminB.token}x`,
      `Bearer ${adminB.token} extra`,
      "Bearer bga_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
      `Bearer ${"x".repeat(5_000)}`,
      "Bearer ' OR 1=1 --",
    ]) {
      await expectTRPCError(
        caseFor(procedure).call(adminClient(server, { authorization }), accountBTarget),
        "UNAUTHORIZED",
      );
    }
  });

  it("refuses a revoked token (UNAUTHORIZED)", async () => {
    const token = await createAdminToken(server.runtime.db, adminB.userProfileId, "revoked");
    await server.runtime.db.adminToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await expectTRPCError(
      caseFor(procedure).call(adminClient(server, token), accountBTarget),
      "UNAUTHORIZED",
    );
  });

  it("refuses an expired token (UNAUTHORIZED)", async () => {
    const token = await createAdminToken(
      server.runtime.db,
      adminB.userProfileId,
      "expired",
      new Date(Date.now() - 1_000),
    );
    await expectTRPCError(
      caseFor(procedure).call(adminClient(server, token), accountBTarget),
      "UNAUTHORIZED",
    );
  });

  it("refuses a token of an inactive account (UNAUTHORIZED)", async () => {
    const dormant = await createAccount(server, "dormant");
    await server.runtime.db.account.update({ where: { id: dormant.accountId }, data: { isActive: false } });
    await expectTRPCError(caseFor(procedure).call(dormant.client, accountBTarget), "UNAUTHORIZED");
  });

  it("never reaches another account's resources", async () => {
    const { call, otherAccount } = caseFor(procedure);
    await expectOutcome(otherAccount, call(adminA.client, accountBTarget), accountBTarget, adminA);
  });

  it("never lets a member reach another member's resources", async () => {
    const { call, otherMember } = caseFor(procedure);
    await expectOutcome(
      otherMember,
      call(attackerMember.client, victimMemberTarget),
      victimMemberTarget,
      attackerMember,
    );
  });
});

describe("after every attempt", () => {
  it("left the victims' chatbots, keys, functions and domains untouched", async () => {
    for (const target of [accountBTarget, victimMemberTarget]) {
      const bot = await server.runtime.db.chatBot.findUniqueOrThrow({ where: { id: target.chatbotId } });
      expect(bot).toMatchObject({ deployed: true, description: "" });
      const key = await server.runtime.db.chatBotAPIKey.findUniqueOrThrow({ where: { id: target.apiKeyId } });
      expect(key.isActive).toBe(true);
      expect(await server.runtime.db.chatBotAPIKey.count({ where: { chatbotId: target.chatbotId } })).toBe(1);
      const domain = await server.runtime.db.chatBotCustomDomain.findUniqueOrThrow({
        where: { id: target.domainId },
      });
      // Still the owner's (the worker checks its DNS on its own schedule, so no timestamps here).
      expect(domain.domainName).toBe(target.domainName);
      const token = await server.runtime.db.adminToken.findUniqueOrThrow({
        where: { id: target.adminTokenId },
      });
      expect(token).toMatchObject({ userProfileId: target.userProfileId, revokedAt: null });
      const functions = await server.runtime.db.chatBotFunctions.findMany({
        where: { chatbotId: target.chatbotId },
      });
      expect(functions.map((f) => f.name)).toEqual(["date_calculator"]);
      const provider = await server.runtime.db.llmProvider.findUniqueOrThrow({
        where: { id: target.providerId },
      });
      expect(provider.baseUrl).toBe(VICTIM_PROVIDER_URL);
      expect(server.runtime.secrets.open(provider.apiKeySealed)).toBe(PROVIDER_KEY);
      const endpoint = await server.runtime.db.webhookEndpoint.findUniqueOrThrow({
        where: { id: target.webhookEndpointId },
      });
      expect(endpoint).toMatchObject({ url: "http://127.0.0.1:9/victim", disabledAt: null });
    }
    // No call from another account or member ever sent (or queued) a test of the victims' endpoints.
    const tests = await server.runtime.db.chatBotEvent.count({ where: { type: "webhook.test" } });
    expect(tests).toBe(0);
  });
});
