// The verify job against a scripted DNS server standing in for the world's DNS: wrong answers
// and NXDOMAIN are failures with a reason, SERVFAIL and timeouts are retried and never
// failures, and a verified domain whose DNS moved away is marked, told, and loses routing only
// once the grace period is over (coming back before that clears it).
import { ownershipRecord } from "@botgate/api";
import { routeKey } from "@botgate/core";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { domainJobHandlers, sweepDueDomains } from "../../src/domains/index.ts";
import { claim, type DomainWorld, later, newAccount, startDomainWorld } from "./support.ts";

const NS = ["ns1.botgate.localhost", "ns2.botgate.localhost"];
const GRACE_HOURS = 2;

let dns: TestDnsServer;
let world: DomainWorld;

beforeAll(async () => {
  dns = await startTestDnsServer();
  world = await startDomainWorld({ checkerNameServers: [dns.address], graceHours: GRACE_HOURS });
});
afterAll(async () => {
  await world?.close();
  await dns?.close();
});
beforeEach(() => dns.clear());

const domainOf = (id: number) => world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id } });

/** Public DNS delegating `name` to the zone and serving its ownership token. */
function delegate(name: string, token: string, nameServers = NS) {
  dns.records(name, { NS: nameServers });
  dns.records(ownershipRecord(name, token).name, { TXT: [ownershipRecord(name, token).value] });
}

async function claimed(name: string) {
  const owner = await newAccount(world);
  const row = await claim(world, owner, name);
  return { owner, row };
}

describe("checks that fail", () => {
  it("keeps waiting with a reason when the domain does not exist (NXDOMAIN), checking again in a minute", async () => {
    const { row } = await claimed("nx.example.com");
    await world.drain();
    const domain = await domainOf(row.id);
    expect(domain.verificationStatus).toBe("AwaitingDns");
    expect(domain.failureReason).toMatch(/nx\.example\.com does not exist in DNS \(NXDOMAIN\)/);
    const checks = domain.lastChecks as { responseCode: string; resolver: string[]; outcome: string }[];
    expect(checks[0]).toMatchObject({
      responseCode: "NXDOMAIN",
      resolver: [dns.address],
      outcome: "mismatch",
    });
    expect(domain.nextCheckAt?.getTime()).toBe(world.clock.now.getTime() + 60_000);
    const events = await world.db.chatBotEvent.findMany({ where: { customDomainId: row.id } });
    expect(events.map((e) => e.type)).toContain("domain.verification_failed");
  });

  it("names the missing name servers when the domain is delegated elsewhere", async () => {
    const { row } = await claimed("elsewhere.example.com");
    delegate("elsewhere.example.com", row.verificationToken, ["ns.other-dns.net"]);
    await world.drain();
    const domain = await domainOf(row.id);
    expect(domain.verificationStatus).toBe("AwaitingDns");
    expect(domain.failureReason).toContain("ns1.botgate.localhost");
    expect(domain.failureReason).toContain("ns.other-dns.net");
  });

  it("keeps the reason of a failed check when a repeated provision job runs after it", async () => {
    // domain.verify before the zone exists queues a second provision job, which the queues
    // may run after the first check (provision and verify are separate queues).
    const { row } = await claimed("late-provision.example.com");
    await world.drain();
    const checked = await domainOf(row.id);
    expect(checked.failureReason).toContain("late-provision.example.com");
    const provision = domainJobHandlers(world.services)["domain-provision"];
    if (!provision) throw new Error("no provision handler");
    await provision({ data: { domainId: row.id } });
    const domain = await domainOf(row.id);
    expect(domain).toMatchObject({ verificationStatus: "AwaitingDns", failureReason: checked.failureReason });
    expect(domain.nextCheckAt).toEqual(checked.nextCheckAt);
  });

  it("reports a wrong ownership token, even when delegation is right", async () => {
    const { row } = await claimed("token.example.com");
    delegate("token.example.com", "someone-else");
    await world.drain();
    const domain = await domainOf(row.id);
    expect(domain.verificationStatus).toBe("AwaitingDns");
    expect(domain.failureReason).toContain(ownershipRecord("token.example.com", row.verificationToken).value);
  });

  it("retries SERVFAIL and timeouts soon, without a failure reason or event", async () => {
    for (const [name, behaviour, code] of [
      ["servfail.example.com", { rcode: "SERVFAIL" }, "SERVFAIL"],
      ["silent.example.com", { silent: true }, "TIMEOUT"],
    ] as const) {
      const { row } = await claimed(name);
      dns.set(name, behaviour);
      dns.set(ownershipRecord(name, row.verificationToken).name, behaviour);
      await world.drain();
      const domain = await domainOf(row.id);
      expect(domain.verificationStatus, name).toBe("AwaitingDns");
      expect(domain.failureReason, name).toBeNull();
      const checks = domain.lastChecks as { outcome: string; responseCode: string }[];
      expect(
        checks.map((c) => c.outcome),
        name,
      ).toEqual(["transient", "transient"]);
      expect(
        checks.map((c) => c.responseCode),
        name,
      ).toEqual([code, code]);
      expect(domain.nextCheckAt?.getTime(), name).toBe(world.clock.now.getTime() + 30_000);
      const events = await world.db.chatBotEvent.findMany({ where: { customDomainId: row.id } });
      expect(
        events.map((e) => e.type),
        name,
      ).not.toContain("domain.verification_failed");
    }
  });
});

describe("re-verification", () => {
  async function verifiedWithBot(name: string) {
    const { owner, row } = await claimed(name);
    delegate(name, row.verificationToken);
    await world.db.chatBot.create({
      data: {
        name: "shop",
        hostLabel: "shop",
        deployed: true,
        dnsVerificationStatus: "Verified",
        tlsCertificateIssuanceStatus: "Issued",
        accountId: owner.accountId,
        userProfileId: owner.userProfileId,
        customDomainId: row.id,
      },
    });
    await world.drain();
    expect((await domainOf(row.id)).verificationStatus).toBe("Verified");
    return row;
  }

  const routed = (host: string) => world.routes.entries.get(routeKey({ kind: "host", host }))?.found === true;

  /** Moves the clock to the domain's next check and lets the sweep and its jobs run. */
  async function nextCheck(id: number) {
    const due = (await domainOf(id)).nextCheckAt;
    if (due === null) throw new Error("no check scheduled");
    world.clock.now = new Date(Math.max(due.getTime(), world.clock.now.getTime()));
    expect(await sweepDueDomains(world.services)).toBeGreaterThanOrEqual(1);
    await world.drain();
    return domainOf(id);
  }

  it("checks often right after verification, then less and less often", async () => {
    const row = await verifiedWithBot("steady.example.com");
    const gaps: number[] = [];
    for (let i = 0; i < 7; i++) {
      const before = world.clock.now.getTime();
      const domain = await nextCheck(row.id);
      expect(domain.verificationStatus).toBe("Verified");
      gaps.push(((domain.nextCheckAt?.getTime() ?? 0) - before) / 60_000);
    }
    expect(gaps[0]).toBeLessThanOrEqual(2);
    expect(gaps.at(-1)).toBeGreaterThanOrEqual(5);
  });

  it("marks a domain whose DNS moved away, tells the account, and removes routing after the grace period", async () => {
    const row = await verifiedWithBot("moved.example.com");
    expect(routed("shop.moved.example.com")).toBe(true);
    dns.set("moved.example.com", { records: { NS: ["ns.elsewhere.net"] } });

    const failing = await nextCheck(row.id);
    expect(failing).toMatchObject({ verificationStatus: "Failing", isVerified: true });
    expect(failing.failingSince).toEqual(world.clock.now);
    expect(failing.failureReason).toContain("ns.elsewhere.net");
    const told = await world.db.chatBotEvent.findFirst({
      where: { customDomainId: row.id, type: "domain.failing" },
    });
    expect(told?.data).toMatchObject({ from: "Verified", to: "Failing", reason: failing.failureReason });
    expect(routed("shop.moved.example.com")).toBe(true);

    // A resolver outage during the grace period is no failure and changes nothing.
    dns.set("moved.example.com", { rcode: "SERVFAIL" });
    expect((await nextCheck(row.id)).verificationStatus).toBe("Failing");
    dns.set("moved.example.com", { records: { NS: ["ns.elsewhere.net"] } });

    let domain = failing;
    while (domain.verificationStatus === "Failing") domain = await nextCheck(row.id);
    expect(world.clock.now.getTime() - (failing.failingSince?.getTime() ?? 0)).toBeGreaterThanOrEqual(
      GRACE_HOURS * 3_600_000,
    );
    expect(domain).toMatchObject({
      verificationStatus: "AwaitingDns",
      isVerified: false,
      failingSince: null,
    });
    expect(domain.claimExpiresAt?.getTime()).toBeGreaterThan(world.clock.now.getTime());
    expect(routed("shop.moved.example.com")).toBe(false);
    const bot = await world.db.chatBot.findFirstOrThrow({ where: { customDomainId: row.id } });
    expect(bot.customHost).toBeNull();
    const unverified = await world.db.chatBotEvent.findFirst({
      where: { customDomainId: row.id, type: "domain.unverified" },
    });
    expect(unverified?.data).toMatchObject({ from: "Failing", to: "AwaitingDns" });
  });

  it("clears the mark when DNS comes back before the grace period ends", async () => {
    const row = await verifiedWithBot("back.example.com");
    dns.set("back.example.com", { records: { NS: ["ns.elsewhere.net"] } });
    expect((await nextCheck(row.id)).verificationStatus).toBe("Failing");
    later(world, 60_000);
    delegate("back.example.com", row.verificationToken);
    const back = await nextCheck(row.id);
    expect(back).toMatchObject({ verificationStatus: "Verified", failingSince: null, failureReason: null });
    expect(routed("shop.back.example.com")).toBe(true);
    const events = await world.db.chatBotEvent.findMany({
      where: { customDomainId: row.id },
      orderBy: { id: "asc" },
    });
    expect(events.map((e) => e.type).slice(-2)).toEqual(["domain.failing", "domain.recovered"]);
  });
});
