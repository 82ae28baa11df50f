// Re-verification of deployed default hosts: the sweep re-checks each Verified host on the
// backoff schedule; a host whose record moved away is marked (dns.failing, diagnostics), loses
// DNS Verified and its routing after the grace period, and comes back when the record does.
// Transient resolver answers are retried, never failures. The sweep runs here on a clock of the
// test's own (hours ahead), so the inline worker's real-time sweep never sees these checks due.
import { sweepDueHosts } from "@botgate/jobs";
import type { DnsRecord } from "@botgate/provisioning";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiServicesOf } from "../src/services.ts";
import { createAccount, deployAndWait, startTestServer, type TestServer, type TestUser } from "./harness.ts";

const HOUR = 3_600_000;

function sweepAt(server: TestServer, at: Date, graceHours = 1) {
  return sweepDueHosts({ ...apiServicesOf(server.runtime), reverifyGraceHours: graceHours, now: () => at });
}

async function hostState(server: TestServer, id: number) {
  return server.runtime.db.chatBot.findUniqueOrThrow({
    where: { id },
    select: { deployFailingSince: true, deployNextCheckAt: true, deployCheckStreak: true },
  });
}

async function eventTypes(server: TestServer, chatbotId: number) {
  const events = await server.runtime.db.chatBotEvent.findMany({
    where: { chatbotId, type: { in: ["dns.failing", "dns.recovered", "dns.status_changed"] } },
    orderBy: { id: "asc" },
  });
  return events.map(
    (e) => `${e.type}${e.type === "dns.status_changed" ? `:${(e.data as { to: string }).to}` : ""}`,
  );
}

describe("re-verifying a deployed default host (local provider)", () => {
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await createAccount(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("marks a host whose record vanished, removes its routing after the grace period, and restores it when the record is back", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "moved" });
    const ready = await deployAndWait(admin.client, bot.id);
    const host = ready.defaultHost;
    const { dns } = server.runtime.provisioning;
    const zone = await dns.platformZone();
    const record = (await dns.listRecords(zone.id)).find((r) => r.name === host) as DnsRecord;
    expect(record).toBeDefined();
    await dns.deleteRecords(zone.id, [record]);

    const t1 = new Date(Date.now() + 2 * HOUR);
    expect(await sweepAt(server, t1)).toBeGreaterThanOrEqual(1);
    const marked = await admin.client.chatbot.get.query({ id: bot.id });
    // Still routed during the grace period, the failure visible in its diagnostics.
    expect(marked).toMatchObject({ ready: true, dnsVerificationStatus: "Verified" });
    expect(marked.dnsCheck).toMatchObject({ outcome: "mismatch", answered: [] });
    expect((await hostState(server, bot.id)).deployFailingSince).toEqual(t1);
    expect(await eventTypes(server, bot.id)).toContain("dns.failing");
    const failing = await server.runtime.db.chatBotEvent.findFirstOrThrow({
      where: { chatbotId: bot.id, type: "dns.failing" },
    });
    expect(failing.data).toMatchObject({ host, graceEndsAt: new Date(t1.getTime() + HOUR).toISOString() });

    // Past the grace period, still gone: DNS Failed, and the edge no longer routes it.
    const t2 = new Date(t1.getTime() + 2 * HOUR);
    await sweepAt(server, t2);
    const failed = await admin.client.chatbot.get.query({ id: bot.id });
    expect(failed).toMatchObject({ ready: false, dnsVerificationStatus: "Failed" });
    expect(await server.redis.get(`route:v1:host:${host}`)).not.toMatchObject({ ready: true });

    // The record is back: Verified, routed again, the mark cleared.
    await dns.upsertRecords(zone.id, [record]);
    const t3 = new Date(t2.getTime() + 2 * HOUR);
    await sweepAt(server, t3);
    const back = await admin.client.chatbot.get.query({ id: bot.id });
    expect(back).toMatchObject({ ready: true, dnsVerificationStatus: "Verified" });
    expect(await server.redis.get(`route:v1:host:${host}`)).toMatchObject({ ready: true });
    expect((await hostState(server, bot.id)).deployFailingSince).toBeNull();
    expect((await eventTypes(server, bot.id)).slice(-4)).toEqual([
      "dns.failing",
      "dns.status_changed:Failed",
      "dns.recovered",
      "dns.status_changed:Verified",
    ]);
  });

  it("clears the mark when the record returns within the grace period, and backs off while it keeps matching", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "blip" });
    const { defaultHost: host } = await deployAndWait(admin.client, bot.id);
    const { dns } = server.runtime.provisioning;
    const zone = await dns.platformZone();
    const record = (await dns.listRecords(zone.id)).find((r) => r.name === host) as DnsRecord;
    await dns.deleteRecords(zone.id, [record]);
    const t1 = new Date(Date.now() + 2 * HOUR);
    await sweepAt(server, t1, 24);
    expect((await hostState(server, bot.id)).deployFailingSince).toEqual(t1);
    await dns.upsertRecords(zone.id, [record]);
    const t2 = new Date(t1.getTime() + 2 * HOUR);
    await sweepAt(server, t2, 24);
    expect(await hostState(server, bot.id)).toMatchObject({ deployFailingSince: null, deployCheckStreak: 0 });
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({ ready: true });
    expect(await eventTypes(server, bot.id)).not.toContain("dns.status_changed:Failed");
    // Matching again: the next check moves out along the schedule (1 minute first).
    const t3 = new Date(t2.getTime() + 2 * HOUR);
    await sweepAt(server, t3, 24);
    const next = (await hostState(server, bot.id)).deployNextCheckAt;
    expect(next?.getTime()).toBe(t3.getTime() + 60_000);
  });
});

describe("re-verifying a deployed default host through a flaky resolver", () => {
  let resolver: TestDnsServer;
  let server: TestServer;
  let admin: TestUser;
  beforeAll(async () => {
    resolver = await startTestDnsServer();
    server = await startTestServer({ env: { DNS_RESOLVERS: resolver.address, DNS_CHECK_TIMEOUT_MS: "200" } });
    admin = await createAccount(server);
  });
  afterAll(async () => {
    await server?.close();
    await resolver?.close();
  });

  it("retries SERVFAIL and timeouts soon, never marking the host as failing", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "flaky" });
    resolver.records(bot.defaultHost, { A: ["127.0.0.1"] });
    await deployAndWait(admin.client, bot.id);
    let at = Date.now() + 2 * HOUR;
    for (const behaviour of [{ rcode: "SERVFAIL" as const }, { silent: true as const }]) {
      resolver.set(bot.defaultHost, behaviour);
      at += 2 * HOUR;
      await sweepAt(server, new Date(at), 0.0001);
      const state = await hostState(server, bot.id);
      expect(state.deployFailingSince).toBeNull();
      // Retried within a minute, not on the hourly schedule.
      expect(state.deployNextCheckAt?.getTime()).toBe(at + 30_000);
    }
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({
      ready: true,
      dnsVerificationStatus: "Verified",
      dnsCheck: { outcome: "transient" },
    });
    expect(await eventTypes(server, bot.id)).not.toContain("dns.failing");
  });
});
