// The custom-domain workflow, job by job, on the local provider: the embedded authoritative
// DNS server answers the checks, the local CA issues the certificate once its validation
// records are in the zone.
import { routeKey } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claim, type DomainWorld, newAccount, startDomainWorld } from "./support.ts";

let world: DomainWorld;

beforeAll(async () => {
  world = await startDomainWorld();
});
afterAll(async () => {
  await world?.close();
});

const eventsOf = async (domainId: number) =>
  (await world.db.chatBotEvent.findMany({ where: { customDomainId: domainId }, orderBy: { id: "asc" } })).map(
    (e) => [e.type, (e.data as { to?: string }).to],
  );

describe("provision → verify → certificate → verified", () => {
  it("creates the zone, checks DNS, issues one certificate and routes the domain's chatbots", async () => {
    const owner = await newAccount(world);
    const row = await claim(world, owner, "shop.example.com");
    const bot = await world.db.chatBot.create({
      data: {
        name: "concierge",
        hostLabel: "concierge",
        deployed: true,
        dnsVerificationStatus: "Verified",
        tlsCertificateIssuanceStatus: "Issued",
        accountId: owner.accountId,
        userProfileId: owner.userProfileId,
        customDomainId: row.id,
      },
    });

    const ran = await world.drain();
    expect(ran[0]).toBe("domain-provision");

    const domain = await world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id: row.id } });
    expect(domain).toMatchObject({
      isVerified: true,
      verificationStatus: "Verified",
      provisionedBy: "local",
      claimExpiresAt: null,
      certificateStatus: "ISSUED",
      failureReason: null,
    });
    expect(domain.awsHostedZoneId).not.toBeNull();
    expect(domain.nameServers).toEqual(["ns1.botgate.localhost", "ns2.botgate.localhost"]);
    expect(domain.nextCheckAt?.getTime()).toBeGreaterThan(world.clock.now.getTime());

    // What the checks saw: delegation and the ownership token, both answered by the zone.
    const checks = domain.lastChecks as { expected: { type: string }; outcome: string; resolver: string[] }[];
    expect(checks.map((c) => [c.expected.type, c.outcome])).toEqual([
      ["NS", "match"],
      ["TXT", "match"],
    ]);
    expect(checks[0]?.resolver).toHaveLength(1);

    // One certificate for the domain and its wildcard; every record created is recorded.
    const certificates = await world.provisioning.certificates.list();
    expect(certificates).toEqual([domain.certificateArn]);
    const state = await world.provisioning.certificates.describe(domain.certificateArn ?? "");
    expect(state?.subjectAlternativeNames).toContain("*.shop.example.com");
    const zoneId = domain.awsHostedZoneId ?? "";
    const recorded = await world.db.chatBotCustomDomainDNS.findMany({ where: { customDomainId: row.id } });
    const held = await world.provisioning.dns.listRecords(zoneId);
    for (const record of recorded) {
      expect(held.some((r) => r.name === record.recordName && r.type === record.recordType)).toBe(true);
    }
    expect(recorded.map((r) => r.recordType).sort()).toEqual(
      ["TXT", ...(state?.validationRecords ?? []).map((r) => r.type)].sort(),
    );

    // The chatbot answers on its custom host.
    const custom = world.routes.entries.get(routeKey({ kind: "host", host: "concierge.shop.example.com" }));
    expect(custom).toMatchObject({
      found: true,
      chatbotId: bot.id,
      customHost: "concierge.shop.example.com",
    });

    expect(await eventsOf(row.id)).toEqual([
      ["domain.status_changed", "AwaitingDns"],
      ["domain.status_changed", "IssuingCertificate"],
      ["domain.verified", "Verified"],
    ]);
  });

  it("runs every job twice without a second zone, record or certificate", async () => {
    const owner = await newAccount(world);
    const row = await claim(world, owner, "twice.example.com");
    const handlers = (await import("../../src/domains/index.ts")).domainJobHandlers(world.services);
    const provision = handlers["domain-provision"];
    if (!provision) throw new Error("no provision handler");
    await provision({ data: { domainId: row.id } });
    await provision({ data: { domainId: row.id } });
    await world.drain();
    const zones = (await world.provisioning.dns.listZones()).filter((z) => z.name === "twice.example.com");
    expect(zones).toHaveLength(1);
    const domain = await world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id: row.id } });
    expect(domain.isVerified).toBe(true);
    const arns = (await world.provisioning.certificates.list()).filter(
      (arn) => arn === domain.certificateArn,
    );
    expect(arns).toHaveLength(1);
    const before = await world.provisioning.certificates.list();
    const verify = handlers["domain-verify"];
    if (!verify) throw new Error("no verify handler");
    await verify({ data: { domainId: row.id } });
    expect(await world.provisioning.certificates.list()).toEqual(before);
  });
});

describe("domain-remove", () => {
  it("takes the zone, its records and the certificate down at the provider", async () => {
    const owner = await newAccount(world);
    const row = await claim(world, owner, "gone.example.com");
    await world.drain();
    const domain = await world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id: row.id } });
    await world.db.$transaction(async (tx) => {
      await tx.chatBotCustomDomain.delete({ where: { id: row.id } });
      await world.services.jobs.enqueue(tx, {
        name: "domain-remove",
        data: {
          domainName: domain.domainName,
          hostedZoneId: domain.awsHostedZoneId,
          certificateArn: domain.certificateArn,
        },
      });
    });
    await world.drain();
    expect((await world.provisioning.dns.listZones()).map((z) => z.name)).not.toContain("gone.example.com");
    expect(await world.provisioning.certificates.list()).not.toContain(domain.certificateArn);
  });
});
