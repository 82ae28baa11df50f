import { platformConfig } from "@botgate/core";
import { createLocalProvisioning } from "@botgate/provisioning";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  createAccount,
  createMember,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let dns: TestDnsServer;
let server: TestServer;
let admin: TestUser;

const NAME_SERVERS = ["ns-a.dns.example.net", "ns-b.dns.example.net"];

beforeAll(async () => {
  dns = await startTestDnsServer();
  server = await startTestServer({
    env: { DNS_RESOLVERS: dns.address, LOCAL_NAME_SERVERS: NAME_SERVERS.join(",") },
  });
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

/** Publishes the TXT record a domain's instructions ask for, on the test DNS server. */
function publish(record: { name: string; value: string }, value = record.value) {
  dns.txt.set(record.name, [value]);
}

describe("domain.create", () => {
  it("claims a normalized domain and answers the DNS instructions to follow", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "  Shop.Bücher.COM. " });
    expect(domain).toMatchObject({
      domainName: "shop.xn--bcher-kva.com",
      isVerified: false,
      verifiedAt: null,
      lastCheckedAt: null,
      failureReason: null,
      owner: { userProfileId: admin.userProfileId },
      instructions: {
        nameServers: NAME_SERVERS,
        txtRecord: { name: "_botgate-challenge.shop.xn--bcher-kva.com", type: "TXT" },
      },
    });
    expect(domain.instructions.txtRecord.value).toMatch(/^botgate-verification=[0-9a-f]{32}$/);
    const events = await server.runtime.db.chatBotEvent.findMany({ where: { customDomainId: domain.id } });
    expect(events.map((e) => e.type)).toEqual(["domain.created"]);
  });

  it("gives every domain its own random ownership token", async () => {
    const a = await admin.client.domain.create.mutate({ domainName: "token-a.com" });
    const b = await admin.client.domain.create.mutate({ domainName: "token-b.com" });
    expect(a.instructions.txtRecord.value).not.toBe(b.instructions.txtRecord.value);
  });

  it("refuses platform domains, reserved names and malformed names with a domainName message", async () => {
    for (const domainName of [
      "botgate.localhost",
      "x.api.local.botgate.localhost",
      "shop.test",
      "localhost",
      "192.168.0.1",
      "https://shop.com",
      "bad_name.com",
      "",
    ]) {
      const error = await expectTRPCError(admin.client.domain.create.mutate({ domainName }), "BAD_REQUEST");
      expect(error.data?.fieldErrors?.domainName, domainName).toHaveLength(1);
    }
  });

  it("answers CONFLICT for a second claim of a name by the same account, whatever its spelling", async () => {
    await admin.client.domain.create.mutate({ domainName: "taken.com" });
    const error = await expectTRPCError(
      admin.client.domain.create.mutate({ domainName: "TAKEN.com." }),
      "CONFLICT",
    );
    expect(error.data?.fieldErrors?.domainName).toHaveLength(1);
  });

  it("gives a claim the configured lifetime (DOMAIN_CLAIM_TTL_HOURS, 72 by default)", async () => {
    const before = Date.now();
    const domain = await admin.client.domain.create.mutate({ domainName: "lifetime.com" });
    const after = Date.now();
    const expiresAt = domain.claimExpiresAt?.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(before + 72 * 3_600_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 72 * 3_600_000);
  });

  it("delegates to ns1/ns2 of the root domain when no name servers are configured", async () => {
    const config = platformConfig({ environment: "prod", rootDomain: "botgate.io" });
    const provisioning = await createLocalProvisioning({
      rootDomain: config.rootDomain,
      platformDomain: config.apiDomain,
    });
    try {
      const zone = await provisioning.dns.ensureZone("shop.com", "shop-claim");
      expect(zone.nameServers).toEqual(["ns1.botgate.io", "ns2.botgate.io"]);
    } finally {
      await provisioning.close();
    }
  });
});

describe("domain.verify", () => {
  it("verifies a domain whose ownership TXT record is published on the configured DNS server", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "verified-shop.com" });
    publish(domain.instructions.txtRecord);
    const before = Date.now();
    const verified = await admin.client.domain.verify.mutate({ id: domain.id });
    expect(verified).toMatchObject({ isVerified: true, failureReason: null, claimExpiresAt: null });
    expect(verified.verifiedAt?.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(verified.lastCheckedAt).toEqual(verified.verifiedAt);
    const events = await server.runtime.db.chatBotEvent.findMany({
      where: { customDomainId: domain.id },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.type)).toEqual(["domain.created", "domain.verified"]);
  });

  it("accepts the TXT record split into several strings, next to unrelated records", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "split-txt.com" });
    const { name, value } = domain.instructions.txtRecord;
    dns.txt.set(name, ["v=spf1 -all", [value.slice(0, 20), value.slice(20)]]);
    expect((await admin.client.domain.verify.mutate({ id: domain.id })).isVerified).toBe(true);
  });

  it("fails with a reason when no TXT record exists", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "no-record.com" });
    const failed = await admin.client.domain.verify.mutate({ id: domain.id });
    expect(failed).toMatchObject({ isVerified: false, verifiedAt: null });
    expect(failed.failureReason).toMatch(/No TXT record found at _botgate-challenge\.no-record\.com/);
    expect(failed.lastCheckedAt).toBeInstanceOf(Date);
    const events = await server.runtime.db.chatBotEvent.findMany({ where: { customDomainId: domain.id } });
    expect(events.map((e) => [e.type, e.data])).toContainEqual([
      "domain.verification_failed",
      expect.objectContaining({ reason: failed.failureReason }),
    ]);
  });

  it("fails with a reason when the TXT record holds another token", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "wrong-token.com" });
    publish(domain.instructions.txtRecord, "botgate-verification=someone-else");
    const failed = await admin.client.domain.verify.mutate({ id: domain.id });
    expect(failed.isVerified).toBe(false);
    expect(failed.failureReason).toContain(domain.instructions.txtRecord.value);
  });

  it("unverifies a verified domain whose record disappeared", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "moved-away.com" });
    publish(domain.instructions.txtRecord);
    await admin.client.domain.verify.mutate({ id: domain.id });
    dns.txt.delete(domain.instructions.txtRecord.name);
    const rechecked = await admin.client.domain.verify.mutate({ id: domain.id });
    expect(rechecked).toMatchObject({ isVerified: false, verifiedAt: null });
    // A claim again: it lapses unless verified within the claim lifetime.
    expect(rechecked.claimExpiresAt?.getTime()).toBeGreaterThan(Date.now());
  });
});

describe("domains and chatbots", () => {
  it("gives a chatbot attached to a verified domain its custom host and URL", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "bots.acme.com" });
    const bot = await admin.client.chatbot.create.mutate({ name: "concierge", customDomainId: domain.id });
    expect(bot.customHost).toBeNull();
    publish(domain.instructions.txtRecord);
    await admin.client.domain.verify.mutate({ id: domain.id });
    const deployed = await admin.client.chatbot.deploy.mutate({ id: bot.id });
    expect(deployed).toMatchObject({
      customDomain: { id: domain.id, domainName: "bots.acme.com", isVerified: true },
      customHost: "concierge.bots.acme.com",
      customUrl: "http://concierge.bots.acme.com",
      hostname: "concierge.bots.acme.com",
      mode: "custom",
      ready: true,
    });
    expect((await admin.client.chatbot.list.query({ mode: "custom" })).items.map((c) => c.id)).toEqual([
      bot.id,
    ]);
  });

  it("lets a member see the account's domains and attach one, but not manage them", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "team-domain.com" });
    const member = await createMember(server, admin.accountNumber);
    expect((await member.client.domain.get.query({ id: domain.id })).domainName).toBe("team-domain.com");
    expect((await member.client.domain.list.query()).items.map((d) => d.id)).toContain(domain.id);
    const bot = await member.client.chatbot.create.mutate({ name: "memberBot", customDomainId: domain.id });
    expect(bot.customDomainId).toBe(domain.id);
    await expectTRPCError(member.client.domain.create.mutate({ domainName: "member-own.com" }), "FORBIDDEN");
    await expectTRPCError(member.client.domain.verify.mutate({ id: domain.id }), "FORBIDDEN");
    await expectTRPCError(member.client.domain.delete.mutate({ id: domain.id }), "FORBIDDEN");
  });

  it("deletes a domain: its chatbots are detached and lose their custom host", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "short-lived.com" });
    publish(domain.instructions.txtRecord);
    await admin.client.domain.verify.mutate({ id: domain.id });
    const bot = await admin.client.chatbot.create.mutate({ name: "attached", customDomainId: domain.id });
    expect(bot.customHost).toBe("attached.short-lived.com");
    expect(await admin.client.domain.delete.mutate({ id: domain.id })).toEqual({ id: domain.id });
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({
      customDomainId: null,
      customHost: null,
    });
    await expectTRPCError(admin.client.domain.get.query({ id: domain.id }), "NOT_FOUND");
    // The name is free again.
    await admin.client.domain.create.mutate({ domainName: "short-lived.com" });
  });

  it("lists the account's domains in id order with a cursor", async () => {
    const fresh = await createAccount(server);
    const ids: number[] = [];
    for (const n of [1, 2, 3]) {
      ids.push((await fresh.client.domain.create.mutate({ domainName: `page-${n}.org` })).id);
    }
    const first = await fresh.client.domain.list.query({ limit: 2 });
    expect(first.items.map((d) => d.id)).toEqual(ids.slice(0, 2));
    const second = await fresh.client.domain.list.query({ limit: 2, cursor: first.nextCursor! });
    expect(second).toMatchObject({ items: [{ id: ids[2] }], nextCursor: null });
  });
});
