// Domain claims (issue 8, point 8): an unverified claim proves nothing, so it must neither
// block the real owner nor tell anyone that another account is after the name. Several
// accounts may hold pending claims of one name, each with its own token; the first to verify
// wins, the database keeps a verified name unique, and unverified claims lapse.
import { cleanupExpiredDomainClaims, type DomainView } from "@botgate/api";
import { Prisma } from "@botgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  createAccount,
  expectTRPCError,
  provisionedDomain,
  startTestServer,
  type TestServer,
  type TestUser,
  verifyThroughDns,
  waitFor,
} from "./harness.ts";

let dns: TestDnsServer;
let server: TestServer;
let owner: TestUser;
let squatter: TestUser;

const CLAIM_TTL_HOURS = 5;

beforeAll(async () => {
  dns = await startTestDnsServer();
  server = await startTestServer({
    env: { DNS_RESOLVERS: dns.address, DOMAIN_CLAIM_TTL_HOURS: String(CLAIM_TTL_HOURS) },
  });
  [owner, squatter] = await Promise.all([createAccount(server, "owner"), createAccount(server, "squatter")]);
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

let domains = 0;
const freshDomain = () => `claim${++domains}-${Date.now().toString(36)}.example.org`;

/** Everything domain.create answers except what differs between any two claims. */
function shapeOf(view: DomainView) {
  const {
    id: _id,
    createdAt: _c,
    updatedAt: _u,
    domainName: _d,
    claimExpiresAt: _e,
    owner: _o,
    // Provisioning runs in the background: where it is differs between two claims.
    status: _s,
    provisioning: _p,
    diagnostics: _g,
    ...rest
  } = view;
  const { instructions } = rest;
  return {
    ...rest,
    instructions: { ...instructions, txtRecord: { ...instructions.txtRecord, name: "", value: "" } },
  };
}

/** Moves a claim's expiry into the past, as the passing of DOMAIN_CLAIM_TTL_HOURS would. */
async function lapse(id: number): Promise<void> {
  await server.runtime.db.chatBotCustomDomain.update({
    where: { id },
    data: { claimExpiresAt: new Date(Date.now() - 1_000) },
  });
}

describe("pending domain claims", () => {
  it("do not block the real owner: a name pending elsewhere is claimed exactly like a fresh one", async () => {
    const contested = freshDomain();
    const squatted = await squatter.client.domain.create.mutate({ domainName: contested });
    const claimed = await owner.client.domain.create.mutate({ domainName: contested });
    const fresh = await owner.client.domain.create.mutate({ domainName: freshDomain() });

    expect(claimed.domainName).toBe(contested);
    expect(shapeOf(claimed)).toEqual(shapeOf(fresh));
    expect(claimed.instructions.txtRecord.name).toBe(squatted.instructions.txtRecord.name);
    expect(claimed.instructions.txtRecord.value).not.toBe(squatted.instructions.txtRecord.value);
    // The squatter sees nothing of the owner's claim either.
    expect((await squatter.client.domain.list.query()).items.map((d) => d.id)).not.toContain(claimed.id);
    await expectTRPCError(squatter.client.domain.get.query({ id: claimed.id }), "NOT_FOUND");
  });

  it("last DOMAIN_CLAIM_TTL_HOURS, configured through the environment", async () => {
    const before = Date.now();
    const claim = await squatter.client.domain.create.mutate({ domainName: freshDomain() });
    const after = Date.now();
    const expiresAt = claim.claimExpiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + CLAIM_TTL_HOURS * 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + CLAIM_TTL_HOURS * 3_600_000);
  });

  it("go to the first account to verify; the others then fail verification with CONFLICT", async () => {
    const contested = freshDomain();
    const claimed = await owner.client.domain.create.mutate({ domainName: contested });
    // The local provider hosts one zone per name, so this claim comes second and waits.
    await provisionedDomain(owner.client, claimed.id);
    const squatted = await squatter.client.domain.create.mutate({ domainName: contested });
    expect((await verifyThroughDns(dns, owner.client, claimed.id)).status).toBe("Verified");

    const lost = await expectTRPCError(squatter.client.domain.verify.mutate({ id: squatted.id }), "CONFLICT");
    expect(lost.message).toContain(`${contested} is verified by another account`);
    expect(await squatter.client.domain.get.query({ id: squatted.id })).toMatchObject({ isVerified: false });
    // SPEC §7: a name another account verified answers CONFLICT (public DNS shows as much).
    const late = await createAccount(server, "late");
    const refused = await expectTRPCError(
      late.client.domain.create.mutate({ domainName: contested }),
      "CONFLICT",
    );
    expect(refused.data?.fieldErrors?.domainName).toHaveLength(1);
  });

  it("lapse unverified: gone from get, list and verify, cleaned up, and the name is free to claim again", async () => {
    const name = freshDomain();
    const claim = await squatter.client.domain.create.mutate({ domainName: name });
    const bot = await squatter.client.chatbot.create.mutate({ name: "lapsing", customDomainId: claim.id });
    await lapse(claim.id);

    await expectTRPCError(squatter.client.domain.get.query({ id: claim.id }), "NOT_FOUND");
    await expectTRPCError(squatter.client.domain.verify.mutate({ id: claim.id }), "NOT_FOUND");
    expect((await squatter.client.domain.list.query()).items.map((d) => d.id)).not.toContain(claim.id);
    // domain.list cleaned it up: the row is gone and the chatbot detached.
    expect(await server.runtime.db.chatBotCustomDomain.findUnique({ where: { id: claim.id } })).toBeNull();
    expect((await squatter.client.chatbot.get.query({ id: bot.id })).customDomainId).toBeNull();
    const events = await server.runtime.db.chatBotEvent.findMany({ where: { customDomainId: claim.id } });
    expect(events.map((e) => e.type)).toContain("domain.expired");

    const again = await squatter.client.domain.create.mutate({ domainName: name });
    expect(again.id).not.toBe(claim.id);
  });

  it("lapse for a periodic job too: cleanupExpiredDomainClaims deletes every expired claim, never a verified domain", async () => {
    const expired = await squatter.client.domain.create.mutate({ domainName: freshDomain() });
    const pending = await squatter.client.domain.create.mutate({ domainName: freshDomain() });
    const verified = await owner.client.domain.create.mutate({ domainName: freshDomain() });
    expect((await verifyThroughDns(dns, owner.client, verified.id)).status).toBe("Verified");
    const expiredZone = (await provisionedDomain(squatter.client, expired.id)).domainName;
    await lapse(expired.id);

    const { runtime } = server;
    const services = { ...runtime, logger: console };
    expect(await cleanupExpiredDomainClaims(services)).toBeGreaterThanOrEqual(1);
    const left = await runtime.db.chatBotCustomDomain.findMany({
      where: { id: { in: [expired.id, pending.id, verified.id] } },
      select: { id: true },
    });
    expect(left.map((d) => d.id).sort()).toEqual([pending.id, verified.id].sort());
    // Its zone (and every record in it) goes too: nothing left behind to take over.
    await waitFor(
      async () => (await runtime.provisioning.dns.listZones()).map((z) => z.name),
      (zones) => !zones.includes(expiredZone),
      "the lapsed claim's zone removed",
    );
  });
});

describe("a verified domain name", () => {
  it("is unique platform-wide in the database itself (partial unique index), whatever the code does", async () => {
    const name = freshDomain();
    const [a, b] = await Promise.all([
      owner.client.domain.create.mutate({ domainName: name }),
      squatter.client.domain.create.mutate({ domainName: name }),
    ]);
    const db = server.runtime.db;
    await db.chatBotCustomDomain.update({ where: { id: a.id }, data: { isVerified: true } });
    const error = await db.chatBotCustomDomain
      .update({ where: { id: b.id }, data: { isVerified: true } })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect((error as Prisma.PrismaClientKnownRequestError).code).toBe("P2002");
  });
});
