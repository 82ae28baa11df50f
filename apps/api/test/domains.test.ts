// domain.* through the real tRPC client, with the job worker inline: the local provider's
// zones and CA, and a real DNS server on loopback standing in for the world's DNS.
import { getVerifiedDomains } from "@botgate/api";
import { platformConfig } from "@botgate/core";
import { createLocalProvisioning } from "@botgate/provisioning";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  createAccount,
  createMember,
  expectTRPCError,
  provisionedDomain,
  resolveAsEdge,
  settledAfterRecordsSet,
  settledDomain,
  startTestServer,
  type TestServer,
  type TestUser,
  verifyThroughDns,
  waitFor,
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

const servicesOf = (s: TestServer) => ({ ...s.runtime, logger: console });

describe("domain.create", () => {
  it("claims a normalized domain at once, then shows the name servers and the ownership record", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "  Shop.Bücher.COM. " });
    expect(domain).toMatchObject({
      domainName: "shop.xn--bcher-kva.com",
      isVerified: false,
      status: "Provisioning",
      owner: { userProfileId: admin.userProfileId },
      instructions: { txtRecord: { name: "_botgate-challenge.shop.xn--bcher-kva.com", type: "TXT" } },
    });
    expect(domain.instructions.txtRecord.value).toMatch(/^botgate-verification=[0-9a-f]{32}$/);

    const provisioned = await provisionedDomain(admin.client, domain.id);
    expect(provisioned).toMatchObject({
      status: "AwaitingDns",
      provisioning: "local",
      instructions: { nameServers: NAME_SERVERS, txtRecord: domain.instructions.txtRecord },
    });
    expect(provisioned.diagnostics.summary).toContain("(provisioning: local)");
    // The zone exists at the provider, with the ownership record, all of it recorded.
    const zones = await server.runtime.provisioning.dns.listZones();
    expect(zones.map((z) => z.name)).toContain("shop.xn--bcher-kva.com");
    const recorded = await server.runtime.db.chatBotCustomDomainDNS.findMany({
      where: { customDomainId: domain.id },
    });
    expect(recorded.map((r) => [r.recordName, r.recordType, r.recordValue])).toEqual([
      [domain.instructions.txtRecord.name, "TXT", domain.instructions.txtRecord.value],
    ]);
    const events = await admin.client.domain.events.query({ id: domain.id });
    expect(
      events.items
        .map((e) => [e.type, e.to])
        .reverse()
        .slice(0, 2),
    ).toEqual([
      ["domain.created", "Provisioning"],
      ["domain.status_changed", "AwaitingDns"],
    ]);
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
  it("answers at once, then verifies through DNS with one certificate and diagnostics of each check", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "verified-shop.com" });
    const provisioned = await provisionedDomain(admin.client, domain.id);
    dns.ns.set("verified-shop.com", NAME_SERVERS);
    dns.txt.set(domain.instructions.txtRecord.name, [domain.instructions.txtRecord.value]);
    const queued = await admin.client.domain.verify.mutate({ id: domain.id });
    expect(queued.isVerified).toBe(false);
    expect(queued.diagnostics.nextCheckAt?.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);

    const verified = await settledAfterRecordsSet(admin.client, domain.id);
    expect(verified).toMatchObject({
      status: "Verified",
      isVerified: true,
      failureReason: null,
      claimExpiresAt: null,
      provisioning: "local",
    });
    expect(verified.verifiedAt?.getTime()).toBeGreaterThan(provisioned.createdAt.getTime());
    const [delegation, ownership] = verified.diagnostics.checks;
    expect(delegation).toMatchObject({
      expected: { name: "verified-shop.com", type: "NS", values: NAME_SERVERS },
      answered: NAME_SERVERS,
      responseCode: "NOERROR",
      resolver: [dns.address],
      outcome: "match",
      reason: null,
    });
    expect(ownership).toMatchObject({
      expected: { type: "TXT", values: [domain.instructions.txtRecord.value] },
      outcome: "match",
    });
    expect(new Date(delegation?.checkedAt ?? 0).getTime()).toBeGreaterThan(0);
    expect(verified.diagnostics.nextCheckAt?.getTime()).toBeGreaterThan(Date.now());
    expect(verified.diagnostics.certificate?.status).toBe("ISSUED");
    const certificate = await server.runtime.provisioning.certificates.describe(
      verified.diagnostics.certificate?.arn ?? "",
    );
    expect(certificate).toMatchObject({
      status: "ISSUED",
      domainName: "verified-shop.com",
      subjectAlternativeNames: expect.arrayContaining(["*.verified-shop.com"]),
    });
    expect(await getVerifiedDomains(servicesOf(server))).toContain("verified-shop.com");
  });

  it("accepts the TXT record split into several strings, next to unrelated records", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "split-txt.com" });
    await provisionedDomain(admin.client, domain.id);
    const { name, value } = domain.instructions.txtRecord;
    dns.ns.set("split-txt.com", NAME_SERVERS);
    dns.txt.set(name, ["v=spf1 -all", [value.slice(0, 20), value.slice(20)]]);
    await admin.client.domain.verify.mutate({ id: domain.id });
    const verified = await waitFor(
      () => admin.client.domain.get.query({ id: domain.id }),
      (d) => d.status === "Verified",
      "verified",
    );
    expect(verified.diagnostics.checks[1]?.answered).toContain(value);
  });

  it("keeps waiting with a reason, and what DNS answered, when nothing is delegated", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "no-record.com" });
    await admin.client.domain.verify.mutate({ id: domain.id });
    const failed = await settledDomain(admin.client, domain.id);
    expect(failed).toMatchObject({ status: "AwaitingDns", isVerified: false, verifiedAt: null });
    expect(failed.failureReason).toContain("ns-a.dns.example.net");
    expect(failed.failureReason).toContain("_botgate-challenge.no-record.com");
    expect(failed.diagnostics.checks.map((c) => [c.expected.type, c.outcome, c.answered])).toEqual([
      ["NS", "mismatch", []],
      ["TXT", "mismatch", []],
    ]);
    // Checked again in a minute: the schedule is fast right after a change.
    const next = failed.diagnostics.nextCheckAt?.getTime() ?? 0;
    expect(next - (failed.lastCheckedAt?.getTime() ?? 0)).toBe(60_000);
    const events = await admin.client.domain.events.query({ id: domain.id });
    expect(events.items[0]).toMatchObject({
      type: "domain.verification_failed",
      reason: failed.failureReason,
    });
  });

  it("names the expected token when the TXT record holds another one", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "wrong-token.com" });
    await provisionedDomain(admin.client, domain.id);
    dns.ns.set("wrong-token.com", NAME_SERVERS);
    dns.txt.set(domain.instructions.txtRecord.name, ["botgate-verification=someone-else"]);
    await admin.client.domain.verify.mutate({ id: domain.id });
    // A scheduled check may have run before the records above existed: wait for one that saw them.
    const failed = await waitFor(
      () => admin.client.domain.get.query({ id: domain.id }),
      (d) => d.diagnostics.checks[1]?.answered.includes("botgate-verification=someone-else") === true,
      "a check of the wrong TXT record",
    );
    expect(failed.status).toBe("AwaitingDns");
    expect(failed.failureReason).toContain(domain.instructions.txtRecord.value);
    expect(failed.diagnostics.checks[1]?.answered).toEqual(["botgate-verification=someone-else"]);
  });
});

describe("domains and chatbots", () => {
  it("routes a chatbot on a verified domain at its custom host, with the domain's diagnostics in chatbot.get", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "bots.acme.com" });
    const bot = await admin.client.chatbot.create.mutate({ name: "concierge", customDomainId: domain.id });
    expect(bot.customHost).toBeNull();
    await admin.client.chatbot.deploy.mutate({ id: bot.id });
    expect((await verifyThroughDns(dns, admin.client, domain.id)).status).toBe("Verified");
    // The default host's own deployment is the deploy job's (its DNS check asks this test's
    // world, which knows nothing of it); the custom host routes as soon as the domain verifies.
    const deployed = await admin.client.chatbot.get.query({ id: bot.id });
    expect(deployed).toMatchObject({
      customDomain: { id: domain.id, domainName: "bots.acme.com", isVerified: true },
      customHost: "concierge.bots.acme.com",
      customUrl: "http://concierge.bots.acme.com",
      hostname: "concierge.bots.acme.com",
      mode: "custom",
      deployed: true,
    });
    expect(deployed.customDomain?.diagnostics).toMatchObject({ status: "Verified", provisioning: "local" });
    expect(deployed.customDomain?.diagnostics.checks).toHaveLength(2);
    const resolved = await resolveAsEdge(server, "host:concierge.bots.acme.com");
    expect(await resolved.json()).toMatchObject({ found: true, chatbotId: bot.id });
    expect((await admin.client.chatbot.list.query({ mode: "custom" })).items.map((c) => c.id)).toContain(
      bot.id,
    );
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

  it("deletes a domain: chatbots detached, and its zone, records and certificate gone at the provider", async () => {
    const domain = await admin.client.domain.create.mutate({ domainName: "short-lived.com" });
    const verified = await verifyThroughDns(dns, admin.client, domain.id);
    expect(verified.status).toBe("Verified");
    const bot = await admin.client.chatbot.create.mutate({ name: "attached", customDomainId: domain.id });
    expect(bot.customHost).toBe("attached.short-lived.com");
    expect(await admin.client.domain.delete.mutate({ id: domain.id })).toEqual({ id: domain.id });
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({
      customDomainId: null,
      customHost: null,
    });
    await expectTRPCError(admin.client.domain.get.query({ id: domain.id }), "NOT_FOUND");
    expect(await getVerifiedDomains(servicesOf(server))).not.toContain("short-lived.com");
    const { provisioning: provider } = server.runtime;
    await waitFor(
      async () => ({
        zones: (await provider.dns.listZones()).map((z) => z.name),
        certificates: await provider.certificates.list(),
      }),
      (held) =>
        !held.zones.includes("short-lived.com") &&
        !held.certificates.includes(verified.diagnostics.certificate?.arn ?? ""),
      "zone and certificate removed",
    );
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
