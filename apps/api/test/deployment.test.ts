// The deployment workflow of a chatbot's default host, end to end: the real tRPC client, the
// inline job worker on pg-boss, the local provider (embedded DNS server and CA) and, for the
// failure paths, a scripted DNS server on loopback as the resolver.
import type { ChatbotView } from "@botgate/api";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AdminClient,
  createAccount,
  deployAndWait,
  eventually,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  // A CA that takes a moment, so the statuses in between can be seen.
  server = await startTestServer({ env: { LOCAL_CERT_DELAY_MS: "1500" } });
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

async function providerState(target: TestServer, host: string) {
  const { dns, certificates } = target.runtime.provisioning;
  const zone = await dns.platformZone();
  const records = (await dns.listRecords(zone.id)).filter(
    (r) => r.name === host || r.name.endsWith(`.${host}`),
  );
  const certs = [];
  for (const arn of await certificates.list()) {
    const state = await certificates.describe(arn);
    if (state?.domainName === host) certs.push(state);
  }
  return { records, certs };
}

/** No deployment job of this chatbot is queued or running. */
async function jobsDrained(target: TestServer, chatbotId: number) {
  const rows = await target.runtime.db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'chatbot-deployment'
       AND singleton_key = $1 AND state < 'completed'`,
    `chatbot:${chatbotId}`,
  );
  return rows[0]?.n === 0;
}

async function statusEvents(target: TestServer, chatbotId: number) {
  const events = await target.runtime.db.chatBotEvent.findMany({
    where: { chatbotId, type: { in: ["dns.status_changed", "tls.status_changed"] } },
    orderBy: { id: "asc" },
  });
  return events.map((e) => `${e.type.split(".")[0]}:${(e.data as { to: string }).to}`);
}

async function get(client: AdminClient, id: number): Promise<ChatbotView> {
  return client.chatbot.get.query({ id });
}

describe("deploying a chatbot's default host", () => {
  it("returns at once in progress, then moves through the statuses to ready, with one record and one certificate", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "moving" });
    const started = await admin.client.chatbot.deploy.mutate({ id: bot.id });
    expect(started).toMatchObject({ deployed: true, dnsVerificationStatus: "Verifying", ready: false });
    const seen = new Set<string>();
    const ready = await eventually(async () => {
      const view = await get(admin.client, bot.id);
      seen.add(`${view.dnsVerificationStatus}/${view.tlsCertificateIssuanceStatus}`);
      return view.ready ? view : null;
    });
    expect(seen).toContain("Verifying/Requested");
    expect(ready).toMatchObject({
      provisioning: "local",
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
      nextCheckAt: null,
      dnsCheck: {
        expected: { name: ready.defaultHost, type: "A", values: ["127.0.0.1"] },
        answered: ["127.0.0.1"],
        outcome: "match",
      },
    });
    expect(await statusEvents(server, bot.id)).toEqual([
      "dns:Verifying",
      "tls:Requested",
      "tls:Issued",
      "dns:Verified",
    ]);
    const { records, certs } = await providerState(server, ready.defaultHost);
    expect(records.filter((r) => r.name === ready.defaultHost)).toEqual([
      { name: ready.defaultHost, type: "A", values: ["127.0.0.1"], ttl: 300 },
    ]);
    expect(certs).toHaveLength(1);
    const row = await server.runtime.db.chatBot.findUniqueOrThrow({
      where: { id: bot.id },
      select: { certificateArn: true, subdomain: true },
    });
    expect(row.certificateArn).toBe(certs[0]?.arn);
    expect(row.subdomain).toMatchObject({
      recordName: ready.defaultHost,
      recordType: "A",
      recordValue: "127.0.0.1",
    });
    // The routing cache holds the ready record under the default host.
    expect(await server.redis.get(`route:v1:host:${ready.defaultHost}`)).toMatchObject({ ready: true });
  });

  it("runs a deployment job twice without a second record or certificate", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "twice" });
    const ready = await deployAndWait(admin.client, bot.id);
    const { deploymentGeneration } = await server.runtime.db.chatBot.findUniqueOrThrow({
      where: { id: bot.id },
      select: { deploymentGeneration: true },
    });
    await server.runtime.db.$transaction((tx) =>
      server.runtime.jobs.enqueue(tx, {
        name: "chatbot-deployment",
        data: {
          action: "deploy",
          chatbotId: bot.id,
          generation: deploymentGeneration,
          attempt: 0,
          mismatches: 0,
        },
        singletonKey: `chatbot:${bot.id}`,
      }),
    );
    await eventually(() => jobsDrained(server, bot.id), { what: "the repeated job" });
    const { records, certs } = await providerState(server, ready.defaultHost);
    expect(records.filter((r) => r.name === ready.defaultHost)).toHaveLength(1);
    expect(certs).toHaveLength(1);
    expect(
      await server.runtime.db.chatBotCustomDomainDNS.count({ where: { recordName: ready.defaultHost } }),
    ).toBe(1);
  });

  it("undeploys mid-deploy: the job stops, the record goes, the certificate is kept", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "changedMind" });
    await admin.client.chatbot.deploy.mutate({ id: bot.id });
    await eventually(
      async () => (await get(admin.client, bot.id)).tlsCertificateIssuanceStatus === "Requested",
    );
    const undeployed = await admin.client.chatbot.undeploy.mutate({ id: bot.id });
    expect(undeployed).toMatchObject({
      deployed: false,
      dnsVerificationStatus: "Not Verified",
      live: false,
    });
    await eventually(() => jobsDrained(server, bot.id), { what: "the jobs to finish" });
    const view = await get(admin.client, bot.id);
    expect(view).toMatchObject({ deployed: false, dnsVerificationStatus: "Not Verified" });
    expect(await statusEvents(server, bot.id)).not.toContain("dns:Verified");
    const { records, certs } = await providerState(server, view.defaultHost);
    expect(records.filter((r) => r.name === view.defaultHost)).toEqual([]);
    expect(certs).toHaveLength(1);
    expect(await server.redis.get(`route:v1:host:${view.defaultHost}`)).not.toMatchObject({ found: true });
  });

  it("deletes a deployed chatbot and leaves nothing in the provider", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "doomedDeploy" });
    const ready = await deployAndWait(admin.client, bot.id);
    expect((await providerState(server, ready.defaultHost)).records.length).toBeGreaterThan(0);
    await admin.client.chatbot.delete.mutate({ id: bot.id });
    await eventually(() => jobsDrained(server, bot.id), { what: "the cleanup job" });
    expect(await providerState(server, ready.defaultHost)).toEqual({ records: [], certs: [] });
    expect(
      await server.runtime.db.chatBotCustomDomainDNS.count({ where: { recordName: ready.defaultHost } }),
    ).toBe(0);
  });

  it("deletes a chatbot mid-deploy and still leaves nothing in the provider", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "doomedEarly" });
    await admin.client.chatbot.deploy.mutate({ id: bot.id });
    await eventually(
      async () => (await get(admin.client, bot.id)).tlsCertificateIssuanceStatus === "Requested",
    );
    await admin.client.chatbot.delete.mutate({ id: bot.id });
    await eventually(() => jobsDrained(server, bot.id), { what: "the jobs to finish" });
    expect(await providerState(server, bot.defaultHost)).toEqual({ records: [], certs: [] });
  });

  it("deploys a renamed chatbot on its new host and removes the old host's record and certificate", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "oldName" });
    const before = await deployAndWait(admin.client, bot.id);
    const renamed = await admin.client.chatbot.update.mutate({ id: bot.id, name: "newName" });
    expect(renamed).toMatchObject({ dnsVerificationStatus: "Verifying", ready: false });
    const after = await eventually(async () => {
      const view = await get(admin.client, bot.id);
      return view.ready && view.defaultHost !== before.defaultHost ? view : null;
    });
    await eventually(() => jobsDrained(server, bot.id), { what: "the jobs to finish" });
    expect(await providerState(server, before.defaultHost)).toEqual({ records: [], certs: [] });
    const now = await providerState(server, after.defaultHost);
    expect(now.records.filter((r) => r.name === after.defaultHost)).toHaveLength(1);
    expect(now.certs).toHaveLength(1);
  });

  it("fails TLS with the certificate authority's reason when the certificate FAILS", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "badCert" });
    const certificates = server.runtime.provisioning.certificates;
    const describe = certificates.describe.bind(certificates);
    // The local CA fails only when validation never appears; script that answer for this host.
    certificates.describe = async (arn) => {
      const state = await describe(arn);
      return state?.domainName === bot.defaultHost
        ? { ...state, status: "FAILED", failureReason: "CAA records forbid issuing for this host." }
        : state;
    };
    try {
      await admin.client.chatbot.deploy.mutate({ id: bot.id });
      const failed = await eventually(async () => {
        const view = await get(admin.client, bot.id);
        return view.tlsCertificateIssuanceStatus === "Failed" ? view : null;
      });
      expect(failed).toMatchObject({
        ready: false,
        dnsVerificationStatus: "Not Verified",
        certificateFailureReason: "CAA records forbid issuing for this host.",
      });
      const events = await server.runtime.db.chatBotEvent.findMany({
        where: { chatbotId: bot.id, type: "tls.status_changed" },
        orderBy: { id: "asc" },
      });
      expect(events.at(-1)?.data).toMatchObject({
        to: "Failed",
        reason: "CAA records forbid issuing for this host.",
      });
    } finally {
      certificates.describe = describe;
    }
  });
});

describe("the DNS check of a deployment", () => {
  let dns: TestDnsServer;
  let scripted: TestServer;
  let owner: TestUser;

  beforeAll(async () => {
    dns = await startTestDnsServer();
    scripted = await startTestServer({ env: { DNS_RESOLVERS: dns.address } });
    owner = await createAccount(scripted);
  });
  afterAll(async () => {
    await scripted?.close();
    await dns?.close();
  });

  it("fails DNS, after re-checks, when the host points elsewhere, showing what was expected and answered", async () => {
    const bot = await owner.client.chatbot.create.mutate({ name: "pointsAway" });
    dns.records(bot.defaultHost, { A: ["203.0.113.9"] });
    await owner.client.chatbot.deploy.mutate({ id: bot.id });
    const failed = await eventually(async () => {
      const view = await get(owner.client, bot.id);
      return view.dnsVerificationStatus === "Failed" ? view : null;
    });
    expect(failed).toMatchObject({
      ready: false,
      tlsCertificateIssuanceStatus: "Issued",
      dnsCheck: {
        expected: { name: bot.defaultHost, type: "A", values: ["127.0.0.1"] },
        answered: ["203.0.113.9"],
        outcome: "mismatch",
        resolver: [dns.address],
      },
    });
    expect(failed.dnsCheck?.reason).toContain("127.0.0.1");
    // Checked once and re-checked twice (DNS propagation) before failing.
    expect(dns.queries.filter((q) => q.name === bot.defaultHost).length).toBeGreaterThanOrEqual(3);
  });

  it("re-checks transient answers (SERVFAIL) until DNS answers, never failing", async () => {
    const bot = await owner.client.chatbot.create.mutate({ name: "flaky" });
    dns.set(bot.defaultHost, { rcode: "SERVFAIL" });
    await owner.client.chatbot.deploy.mutate({ id: bot.id });
    const transient = await eventually(async () => {
      const view = await get(owner.client, bot.id);
      return view.dnsCheck?.outcome === "transient" ? view : null;
    });
    expect(transient).toMatchObject({ dnsVerificationStatus: "Verifying", ready: false });
    expect(transient.nextCheckAt).toBeInstanceOf(Date);
    // Long past the mismatch limit: still only re-scheduled.
    await eventually(async () => dns.queries.filter((q) => q.name === bot.defaultHost).length >= 4);
    expect((await get(owner.client, bot.id)).dnsVerificationStatus).toBe("Verifying");
    dns.records(bot.defaultHost, { A: ["127.0.0.1"] });
    const ready = await eventually(async () => {
      const view = await get(owner.client, bot.id);
      return view.ready ? view : null;
    });
    expect(ready.dnsVerificationStatus).toBe("Verified");
    expect(await statusEvents(scripted, bot.id)).not.toContain("dns:Failed");
  });
});
