// Hosts are unique (issue 8, point 3): no two chatbots may answer at one default or custom
// host, or whichever row a lookup met first would take the other's traffic. The stored host
// columns carry unique indexes, so the database refuses a clash whatever path creates it.
import { randomBytes } from "node:crypto";
import { Prisma } from "@botgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { legacyFnv1a32, legacyFnvCollision } from "../../../packages/core/test/legacy-fnv.ts";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  createAccount,
  createMember,
  expectTRPCError,
  resolveAsEdge,
  startTestServer,
  type TestServer,
  type TestUser,
  verifyThroughDns,
} from "./harness.ts";

let dns: TestDnsServer;
let server: TestServer;

beforeAll(async () => {
  dns = await startTestDnsServer();
  server = await startTestServer({ env: { DNS_RESOLVERS: dns.address } });
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

/** What /internal/resolve answers for a host (a signed edge lookup). */
async function resolveHost(host: string): Promise<{ found: boolean; chatbotId?: number }> {
  return (await (await resolveAsEdge(server, `host:${host}`)).json()) as {
    found: boolean;
    chatbotId?: number;
  };
}

/** A domain of the user's account, verified through the test DNS server. */
async function verifiedDomain(user: TestUser, domainName: string) {
  const domain = await user.client.domain.create.mutate({ domainName });
  expect((await verifyThroughDns(dns, user.client, domain.id)).isVerified).toBe(true);
  return domain;
}

const randomDomain = () => `${randomBytes(4).toString("hex")}.example.net`;

describe("custom hosts of overlapping verified domains", () => {
  // `bob` on alice.<d> and member alice's `bob` (bob.alice) on <d> are both bob.alice.<d>.
  let admin: TestUser;
  let alice: TestUser;
  let parent: string;
  let parentId: number;
  let clashing: string;

  beforeAll(async () => {
    admin = await createAccount(server);
    alice = await createMember(server, admin.accountNumber, { username: "alice" });
    parent = randomDomain();
    parentId = (await verifiedDomain(admin, parent)).id;
    const child = await verifiedDomain(admin, `${alice.username}.${parent}`);
    const bob = await admin.client.chatbot.create.mutate({ name: "bob", customDomainId: child.id });
    clashing = `bob.${alice.username}.${parent}`;
    expect(bob.customHost).toBe(clashing);
  });

  it("refuse a chatbot created on the other domain with CONFLICT naming the host, on customDomainId", async () => {
    const error = await expectTRPCError(
      alice.client.chatbot.create.mutate({ name: "bob", customDomainId: parentId }),
      "CONFLICT",
    );
    expect(error.message).toContain(clashing);
    expect(error.data?.fieldErrors?.customDomainId?.[0]).toContain(clashing);
  });

  it("refuse attaching the other domain to an existing chatbot", async () => {
    const bob = await alice.client.chatbot.create.mutate({ name: "bob" });
    const error = await expectTRPCError(
      alice.client.chatbot.update.mutate({ id: bob.id, customDomainId: parentId }),
      "CONFLICT",
    );
    expect(error.data?.fieldErrors?.customDomainId?.[0]).toContain(clashing);
    expect((await alice.client.chatbot.get.query({ id: bob.id })).customDomainId).toBeNull();
    await alice.client.chatbot.delete.mutate({ id: bob.id });
  });

  it("refuse a rename into the host, on name", async () => {
    const robert = await alice.client.chatbot.create.mutate({ name: "robert", customDomainId: parentId });
    const error = await expectTRPCError(
      alice.client.chatbot.update.mutate({ id: robert.id, name: "bob" }),
      "CONFLICT",
    );
    expect(error.data?.fieldErrors?.name?.[0]).toContain(clashing);
  });

  it("refuse a verification that would route two chatbots of different accounts to one host", async () => {
    // Account A: member alice's bob on <d>, deployed at bob.alice.<d>.
    const a = await createAccount(server);
    const member = await createMember(server, a.accountNumber, { username: "alice" });
    const d = randomDomain();
    const aDomain = await verifiedDomain(a, d);
    const theirs = await member.client.chatbot.create.mutate({ name: "bob", customDomainId: aDomain.id });
    await member.client.chatbot.deploy.mutate({ id: theirs.id });
    const host = `bob.${member.username}.${d}`;
    expect(await resolveHost(host)).toMatchObject({ found: true, chatbotId: theirs.id });

    // Account B claims alice.<d>, attaches its own bob, deploys, and verifies.
    const b = await createAccount(server);
    const claim = await b.client.domain.create.mutate({ domainName: `${member.username}.${d}` });
    const mine = await b.client.chatbot.create.mutate({ name: "bob", customDomainId: claim.id });
    await b.client.chatbot.deploy.mutate({ id: mine.id });
    // The DNS is right, so the check passes; verifying would clash on the host: refused, with why.
    const domain = await verifyThroughDns(dns, b.client, claim.id);
    expect(domain.isVerified).toBe(false);
    expect(domain.failureReason).toContain(host);
    expect((await b.client.chatbot.get.query({ id: mine.id })).customHost).toBeNull();
    expect(await resolveHost(host)).toMatchObject({ found: true, chatbotId: theirs.id });
  });
});

describe("default hosts", () => {
  it("stay distinct for long names the old 32-bit hash shortened to one label", async () => {
    const admin = await createAccount(server);
    // A 40-character username leaves the name 31 characters: both names used to become
    // collisionbotnamehead22-<same fnv>.<username>.
    const member = await createMember(server, admin.accountNumber, { username: "u".repeat(40) });
    const [first, second] = legacyFnvCollision("Collisionbotnamehead22");
    expect(legacyFnv1a32(first)).toBe(legacyFnv1a32(second));

    const bots = [];
    for (const name of [first, second]) {
      const bot = await member.client.chatbot.create.mutate({ name });
      bots.push(await member.client.chatbot.deploy.mutate({ id: bot.id }));
    }
    const [a, b] = bots;
    expect(a?.defaultHost).not.toBe(b?.defaultHost);
    for (const bot of bots) {
      expect(await resolveHost(bot.defaultHost)).toMatchObject({ found: true, chatbotId: bot.id });
    }
  });

  it("are unique per account in the database itself, whatever the code does", async () => {
    const admin = await createAccount(server);
    const one = await admin.client.chatbot.create.mutate({ name: "first" });
    const two = await admin.client.chatbot.create.mutate({ name: "second" });
    const error = await server.runtime.db.chatBot
      .update({ where: { id: two.id }, data: { hostLabel: one.rfc1034CompliantName } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
  });

  it("answer CONFLICT naming the host when two creates race for one label", async () => {
    const admin = await createAccount(server);
    const results = await Promise.allSettled(
      ["raceBot", "RaceBot", "RACEBOT"].map((name) => admin.client.chatbot.create.mutate({ name })),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(failures).toHaveLength(2);
    for (const failure of failures) {
      expect(failure.reason.data?.code).toBe("CONFLICT");
      expect(String(failure.reason.message)).toContain(`racebot.${admin.accountNumber}.`);
    }
  });
});
