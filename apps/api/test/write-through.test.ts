// After every mutation that changes routing, Redis routes exactly what the origin would answer
// (read back through the real store and client): every chatbot by id, deployed chatbots by
// host. Targets that stopped routing hold a short-lived tombstone (a negative entry), so a
// refill racing the change cannot bring them back.
import { buildRouteRecord, routeEntryFor, routeRowSelect } from "@botgate/api";
import { UpstashRouteStore } from "@botgate/cache";
import { NEGATIVE_ROUTE, routeKey } from "@botgate/core";
import { startUpstashRest } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import {
  createAccount,
  deployAndWait,
  scanKeys,
  startTestServer,
  type TestServer,
  type TestUser,
  verifyThroughDns,
  waitFor,
} from "./harness.ts";

let dns: TestDnsServer;
let server: TestServer;
let admin: TestUser;

/** About a second: the grace period a domain whose DNS moved away keeps its routing. */
const GRACE_HOURS = 0.0003;

beforeAll(async () => {
  dns = await startTestDnsServer();
  // Every default host resolves to the edge, so the deployment job's DNS check passes.
  dns.aUnder.set(API_DOMAIN, ["127.0.0.1"]);
  server = await startTestServer({
    env: { DNS_RESOLVERS: dns.address, DOMAIN_REVERIFY_GRACE_HOURS: String(GRACE_HOURS) },
  });
});
// A fresh account per test: its (unique) account number scopes the default-host keys scanned.
beforeEach(async () => {
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

const API_DOMAIN = "api.local.botgate.localhost";
const idKey = (id: number) => routeKey({ kind: "id", id });
const hostKey = (host: string) => routeKey({ kind: "host", host });

// Custom domains carry the test's account number: Redis outlives the test database, so a
// fixed name could meet keys an earlier run left behind.

/**
 * Every key of this test's chatbots: default hosts under the test's account number, custom
 * hosts under the test's domains, and the given ids.
 */
async function keysOf(ids: number[], domains: string[] = []): Promise<string[]> {
  const patterns = [
    `route:v1:host:*.${admin.accountNumber}.${API_DOMAIN}`,
    ...domains.map((d) => `route:v1:host:*.${d}`),
  ];
  const keys = new Set<string>();
  for (const pattern of patterns) for (const key of await scanKeys(server.redis, pattern)) keys.add(key);
  for (const id of ids) if ((await server.redis.exists(idKey(id))) === 1) keys.add(idKey(id));
  return [...keys].sort();
}

/** The keys that route somewhere (hold a found record). */
async function routeKeys(ids: number[], domains: string[] = []): Promise<string[]> {
  const keys = await keysOf(ids, domains);
  const entries = await Promise.all(keys.map((key) => server.runtime.routes.get(key)));
  return keys.filter((_, i) => entries[i]?.found === true);
}

/** The keys that hold a tombstone: they answer "unknown" until it expires. */
async function tombstoneKeys(ids: number[], domains: string[] = []): Promise<string[]> {
  const keys = await keysOf(ids, domains);
  const entries = await Promise.all(keys.map((key) => server.runtime.routes.get(key)));
  return keys.filter((_, i) => entries[i]?.found === false);
}

/** The record the database says the chatbot has now. */
async function expectedRecord(id: number) {
  const row = await server.runtime.db.chatBot.findUniqueOrThrow({ where: { id }, select: routeRowSelect });
  return buildRouteRecord(row, server.runtime.config);
}

async function verifiedDomain(domainName: string) {
  const domain = await admin.client.domain.create.mutate({ domainName });
  const verified = await verifyThroughDns(dns, admin.client, domain.id);
  expect(verified.status).toBe("Verified");
  return verified;
}

describe("routing write-through", () => {
  it("publishes a new chatbot under its id only: its host keeps answering unknown until deployed", async () => {
    const host = `fresh.${admin.accountNumber}.${API_DOMAIN}`;
    await server.runtime.routes.setMany([{ key: hostKey(host), entry: NEGATIVE_ROUTE, ttlSeconds: 30 }]);
    const bot = await admin.client.chatbot.create.mutate({ name: "fresh" });
    expect(await routeKeys([bot.id])).toEqual([idKey(bot.id)]);
    expect(await server.runtime.routes.get(idKey(bot.id))).toEqual(await expectedRecord(bot.id));
    expect(await server.runtime.routes.get(hostKey(host))).toEqual(NEGATIVE_ROUTE);
    await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    expect(await server.runtime.routes.get(hostKey(host))).toEqual(await expectedRecord(bot.id));
  });

  it("writes the ready record under the id and default host on deploy", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "live" });
    const deployed = await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    expect(await routeKeys([bot.id])).toEqual([hostKey(deployed.defaultHost), idKey(bot.id)].sort());
    const record = await server.runtime.routes.get(hostKey(deployed.defaultHost));
    expect(record).toEqual(await expectedRecord(bot.id));
    expect(record).toMatchObject({
      found: true,
      chatbotId: bot.id,
      accountNumber: admin.accountNumber,
      deployed: true,
      ready: true,
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
      apiKeyRequired: false,
      customHost: null,
    });
    expect(await server.runtime.routes.get(idKey(bot.id))).toEqual(record);
  });

  it("moves the default host key when a deployed chatbot is renamed", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "oldName" });
    await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    const renamed = await admin.client.chatbot.update.mutate({ id: bot.id, name: "newName" });
    expect(await routeKeys([bot.id])).toEqual([hostKey(renamed.defaultHost), idKey(bot.id)].sort());
    expect(await tombstoneKeys([bot.id])).toEqual([hostKey(`oldname.${admin.accountNumber}.${API_DOMAIN}`)]);
    expect(renamed.defaultHost).toBe(`newname.${admin.accountNumber}.${API_DOMAIN}`);
    expect(await server.runtime.routes.get(idKey(bot.id))).toEqual(await expectedRecord(bot.id));
  });

  it("adds the custom host when the domain is verified and removes it when the domain fails a re-check", async () => {
    const domain = await admin.client.domain.create.mutate({
      domainName: `recheck-${admin.accountNumber}.example.com`,
    });
    const bot = await admin.client.chatbot.create.mutate({ name: "shop", customDomainId: domain.id });
    const deployed = await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    const base = [hostKey(deployed.defaultHost), idKey(bot.id)];
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual(base.sort());

    expect((await verifyThroughDns(dns, admin.client, domain.id)).status).toBe("Verified");
    const customKey = hostKey(`shop.recheck-${admin.accountNumber}.example.com`);
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual([...base, customKey].sort());
    // The deploy job may still be moving the statuses: the cache follows every step.
    await waitFor(
      async () =>
        JSON.stringify(await server.runtime.routes.get(customKey)) ===
        JSON.stringify(await expectedRecord(bot.id)),
      (same) => same,
      "the custom host's record to match the database",
    );
    expect(await server.runtime.routes.get(customKey)).toMatchObject({
      customHost: `shop.recheck-${admin.accountNumber}.example.com`,
    });

    // DNS moves away: marked Failing, still routed during the (tiny) grace period, then gone.
    dns.txt.delete(domain.instructions.txtRecord.name);
    dns.ns.delete(domain.domainName);
    await admin.client.domain.verify.mutate({ id: domain.id });
    const failing = await waitFor(
      () => admin.client.domain.get.query({ id: domain.id }),
      (d) => d.status === "Failing",
      "domain failing",
    );
    expect(failing.diagnostics.failingSince).toBeInstanceOf(Date);
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual([...base, customKey].sort());
    const told = await admin.client.domain.events.query({ id: domain.id });
    expect(told.items[0]).toMatchObject({ type: "domain.failing", from: "Verified", to: "Failing" });
    await new Promise((resolve) => setTimeout(resolve, GRACE_HOURS * 3_600_000 + 100));
    await admin.client.domain.verify.mutate({ id: domain.id });
    const unverified = await waitFor(
      () => admin.client.domain.get.query({ id: domain.id }),
      (d) => !d.isVerified,
      "domain unverified after the grace period",
    );
    expect(unverified.status).toBe("AwaitingDns");
    expect((await admin.client.domain.events.query({ id: domain.id })).items[0]).toMatchObject({
      type: "domain.unverified",
      from: "Failing",
    });
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual(base.sort());
    expect(await tombstoneKeys([bot.id], [domain.domainName])).toEqual([customKey]);
    expect(await server.runtime.routes.get(idKey(bot.id))).toMatchObject({ customHost: null });
  });

  it("tombstones the old custom host when a chatbot moves to another domain or detaches", async () => {
    const first = await verifiedDomain(`first-${admin.accountNumber}.example.org`);
    const second = await verifiedDomain(`second-${admin.accountNumber}.example.org`);
    const domains = [first.domainName, second.domainName];
    const bot = await admin.client.chatbot.create.mutate({ name: "mover", customDomainId: first.id });
    const deployed = await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    const base = [hostKey(deployed.defaultHost), idKey(bot.id)];
    expect(await routeKeys([bot.id], domains)).toEqual(
      [...base, hostKey(`mover.first-${admin.accountNumber}.example.org`)].sort(),
    );

    await admin.client.chatbot.update.mutate({ id: bot.id, customDomainId: second.id });
    expect(await routeKeys([bot.id], domains)).toEqual(
      [...base, hostKey(`mover.second-${admin.accountNumber}.example.org`)].sort(),
    );

    await admin.client.chatbot.update.mutate({ id: bot.id, customDomainId: null });
    expect(await routeKeys([bot.id], domains)).toEqual(base.sort());
    expect(await tombstoneKeys([bot.id], domains)).toEqual(
      [
        hostKey(`mover.first-${admin.accountNumber}.example.org`),
        hostKey(`mover.second-${admin.accountNumber}.example.org`),
      ].sort(),
    );
  });

  it("removes the custom hosts of a deleted domain's chatbots", async () => {
    const domain = await verifiedDomain(`gone-${admin.accountNumber}.example.net`);
    const bot = await admin.client.chatbot.create.mutate({ name: "orphan", customDomainId: domain.id });
    const deployed = await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    expect(await routeKeys([bot.id], [domain.domainName])).toHaveLength(3);
    await admin.client.domain.delete.mutate({ id: domain.id });
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual(
      [hostKey(deployed.defaultHost), idKey(bot.id)].sort(),
    );
  });

  it("rewrites the record when the first API key is created and the last one revoked", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "locked" });
    await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    const key = await admin.client.apiKey.create.mutate({ chatbotId: bot.id });
    const locked = await server.runtime.routes.get(idKey(bot.id));
    expect(locked).toMatchObject({ apiKeyRequired: true });
    expect(locked).toEqual(await expectedRecord(bot.id));
    await admin.client.apiKey.revoke.mutate({ id: key.id });
    const unlocked = await server.runtime.routes.get(idKey(bot.id));
    expect(unlocked).toMatchObject({ apiKeyRequired: false });
    expect(unlocked && locked && unlocked.found && locked.found && unlocked.version > locked.version).toBe(
      true,
    );
  });

  it("stops every host route at once on undeploy, and keeps the id route for the sandbox", async () => {
    const domain = await verifiedDomain(`undeploy-${admin.accountNumber}.example.net`);
    const bot = await admin.client.chatbot.create.mutate({ name: "leaving", customDomainId: domain.id });
    const deployed = await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    expect(await routeKeys([bot.id], [domain.domainName])).toHaveLength(3);
    await admin.client.chatbot.undeploy.mutate({ id: bot.id });
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual([idKey(bot.id)]);
    expect(await server.runtime.routes.get(idKey(bot.id))).toMatchObject({ deployed: false, ready: false });
    expect(await tombstoneKeys([bot.id], [domain.domainName])).toEqual(
      [hostKey(deployed.defaultHost), hostKey(`leaving.undeploy-${admin.accountNumber}.example.net`)].sort(),
    );
  });

  it("tombstones every route of a deleted chatbot", async () => {
    const domain = await verifiedDomain(`deleted-${admin.accountNumber}.example.net`);
    const bot = await admin.client.chatbot.create.mutate({ name: "deleted", customDomainId: domain.id });
    await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    expect(await routeKeys([bot.id], [domain.domainName])).toHaveLength(3);
    await admin.client.chatbot.delete.mutate({ id: bot.id });
    expect(await routeKeys([bot.id], [domain.domainName])).toEqual([]);
    expect(await tombstoneKeys([bot.id], [domain.domainName])).toHaveLength(3);
  });
});

describe("route lookups (what /internal/resolve answers)", () => {
  it("answer by id always, and by host only while deployed, as write-through publishes", async () => {
    const domain = await verifiedDomain(`lookup-${admin.accountNumber}.example.org`);
    const bot = await admin.client.chatbot.create.mutate({ name: "lookup", customDomainId: domain.id });
    const row = () =>
      server.runtime.db.chatBot.findUniqueOrThrow({ where: { id: bot.id }, select: routeRowSelect });
    const lookup = async (target: Parameters<typeof routeEntryFor>[1]) =>
      routeEntryFor(await row(), target, server.runtime.config);
    const hosts = [bot.defaultHost, `lookup.lookup-${admin.accountNumber}.example.org`].map(
      (host) => ({ kind: "host", host }) as const,
    );

    expect(await lookup({ kind: "id", id: bot.id })).toMatchObject({
      found: true,
      chatbotId: bot.id,
      deployed: false,
    });
    for (const host of hosts) expect(await lookup(host)).toEqual(NEGATIVE_ROUTE);

    await deployAndWait(admin.client, bot.id, { routes: server.runtime.routes });
    for (const host of hosts) {
      expect(await lookup(host)).toEqual(await server.runtime.routes.get(hostKey(host.host)));
    }
    expect(await lookup({ kind: "host", host: `other.${admin.accountNumber}.${API_DOMAIN}` })).toEqual(
      NEGATIVE_ROUTE,
    );
    expect(await lookup({ kind: "id", id: bot.id + 1 })).toEqual(NEGATIVE_ROUTE);
  });
});

describe("routing cache outage", () => {
  it("never fails a mutation, and logs the failed write-through", async () => {
    // A real Upstash endpoint whose Redis is unreachable: every store call fails.
    const endpoint = await startUpstashRest({ redisUrl: "redis://127.0.0.1:1", token: "t" });
    const broken = new UpstashRouteStore({
      redis: new Redis({ url: endpoint.url, token: "t", retry: false }),
    });
    const outage = await startTestServer({ routes: broken });
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      const user = await createAccount(outage);
      const bot = await user.client.chatbot.create.mutate({ name: "resilient" });
      const deployed = await deployAndWait(user.client, bot.id);
      expect(deployed).toMatchObject({ deployed: true, ready: true });
      await user.client.chatbot.undeploy.mutate({ id: bot.id });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining("write-through failed"), expect.anything());
    } finally {
      warn.mockRestore();
      await outage.close();
      await endpoint.close();
    }
  });
});
