import { RequestCertificateCommand } from "@aws-sdk/client-acm";
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand } from "@aws-sdk/client-route-53";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAwsFake, startTestDnsServer, type TestDnsServer } from "../src/testing/index.ts";

let resolver: TestDnsServer;
let fake: ReturnType<typeof createAwsFake>;
beforeAll(async () => {
  resolver = await startTestDnsServer();
  fake = createAwsFake({ pageSize: 2, pendingDescribes: 1, nameServersForChecks: [resolver.address] });
});
beforeEach(() => fake.reset());
afterAll(() => resolver.close());

describe("the stateful AWS fake driven through the aws provider", () => {
  it("runs a default-host deploy: record, certificate pending → issued once its validation record exists", async () => {
    const { dns, certificates } = fake.provisioning;
    const platform = await dns.platformZone();
    expect(platform).toMatchObject({ id: fake.state.platformZoneId, name: "api.botgate.test" });
    const host = "bot.acme.api.botgate.test";
    await dns.upsertRecords(platform.id, [
      { name: host, type: "CNAME", values: ["edge.botgate.net"], ttl: 60 },
    ]);
    const request = { domainName: host, subjectAlternativeNames: [], idempotencyToken: "chatbot1bot" };
    const arn = await certificates.request(request);
    expect(await certificates.request(request)).toBe(arn);
    expect(fake.state.certificates.size).toBe(1);

    const pending = await certificates.describe(arn);
    expect(pending?.status).toBe("PENDING_VALIDATION");
    await dns.upsertRecords(platform.id, pending?.validationRecords ?? []);
    await dns.upsertRecords(platform.id, pending?.validationRecords ?? []);
    // pendingDescribes: 1 — one more poll still says pending, then ISSUED.
    expect((await certificates.describe(arn))?.status).toBe("PENDING_VALIDATION");
    expect((await certificates.describe(arn))?.status).toBe("ISSUED");

    expect(await dns.listRecords(platform.id)).toEqual(
      expect.arrayContaining([
        { name: host, type: "CNAME", values: ["edge.botgate.net"], ttl: 60 },
        { ...pending?.validationRecords[0], ttl: 300 },
      ]),
    );
    expect(fake.route53Mock).toHaveReceivedCommandTimes(ChangeResourceRecordSetsCommand, 3);
    expect(fake.acmMock).toHaveReceivedCommandWith(RequestCertificateCommand, {
      IdempotencyToken: "chatbot1bot",
    });
  });

  it("runs a custom-domain setup and teardown leaving nothing behind", async () => {
    const { dns, certificates } = fake.provisioning;
    const zone = await dns.ensureZone("example.com", "domain-1");
    expect(await dns.ensureZone("example.com", "domain-1")).toEqual(zone);
    expect(fake.route53Mock).toHaveReceivedCommandTimes(CreateHostedZoneCommand, 2);
    expect([...fake.state.zones.values()].filter((z) => z.name === "example.com.")).toHaveLength(1);
    expect(zone.nameServers).toHaveLength(4);

    const long = "v".repeat(400);
    const records = [
      { name: "_botgate.example.com", type: "TXT" as const, values: ["token-1", long], ttl: 300 },
      { name: "*.example.com", type: "CNAME" as const, values: ["edge.botgate.net"], ttl: 60 },
      { name: "example.com", type: "A" as const, values: ["192.0.2.1"], ttl: 60 },
    ];
    await dns.upsertRecords(zone.id, records);
    // pageSize 2 pages the listing; names and TXT come back decoded.
    expect(await dns.listRecords(zone.id)).toEqual(expect.arrayContaining(records));
    expect(await dns.listRecords(zone.id)).toHaveLength(3);

    const arn = await certificates.request({
      domainName: "example.com",
      subjectAlternativeNames: ["*.example.com"],
      idempotencyToken: "domain1",
    });
    const pending = await certificates.describe(arn);
    expect(pending?.validationRecords).toHaveLength(1);
    await dns.upsertRecords(zone.id, pending?.validationRecords ?? []);
    await certificates.describe(arn);
    expect((await certificates.describe(arn))?.status).toBe("ISSUED");

    await certificates.delete(arn);
    await certificates.delete(arn);
    await dns.deleteRecords(zone.id, records);
    await dns.deleteRecords(zone.id, records);
    await dns.deleteZone(zone.id);
    await dns.deleteZone(zone.id);
    expect(await certificates.list()).toEqual([]);
    expect((await dns.listZones()).map((z) => z.name)).toEqual(["api.botgate.test"]);
  });

  it("fails a certificate on demand with a reason a customer can act on", async () => {
    const { certificates } = fake.provisioning;
    const arn = await certificates.request({
      domainName: "example.com",
      subjectAlternativeNames: [],
      idempotencyToken: "dom2",
    });
    fake.state.failCertificate(arn);
    expect(await certificates.describe(arn)).toMatchObject({
      status: "FAILED",
      failureReason: expect.stringContaining("CAA record"),
    });
  });

  it("refuses to delete a certificate still in use, and a zone that still holds records", async () => {
    const { dns, certificates } = fake.provisioning;
    const arn = await certificates.request({
      domainName: "example.com",
      subjectAlternativeNames: [],
      idempotencyToken: "dom3",
    });
    const certificate = fake.state.certificates.get(arn);
    if (certificate) certificate.inUse = true;
    await expect(certificates.delete(arn)).rejects.toMatchObject({ code: "CONFLICT" });
    // deleteZone empties the zone first, so it goes even with records in it.
    const zone = await dns.ensureZone("example.org", "domain-3");
    await dns.upsertRecords(zone.id, [
      { name: "www.example.org", type: "A", values: ["192.0.2.1"], ttl: 60 },
    ]);
    await dns.deleteZone(zone.id);
    expect(fake.state.zones.has(zone.id)).toBe(false);
  });

  it("survives a lost CreateHostedZone answer and a lost RequestCertificate answer without duplicates", async () => {
    const { dns, certificates } = fake.provisioning;
    const timeout = () => Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    fake.state.failNext("CreateHostedZone", timeout(), { afterApplying: true });
    await expect(dns.ensureZone("example.com", "domain-9")).rejects.toMatchObject({ code: "BAD_GATEWAY" });
    const zone = await dns.ensureZone("example.com", "domain-9");
    expect([...fake.state.zones.values()].filter((z) => z.name === "example.com.").map((z) => z.id)).toEqual([
      zone.id,
    ]);

    fake.state.failNext("RequestCertificate", timeout(), { afterApplying: true });
    const request = {
      domainName: "example.com",
      subjectAlternativeNames: ["*.example.com"],
      idempotencyToken: "domain9",
    };
    await expect(certificates.request(request)).rejects.toMatchObject({ code: "BAD_GATEWAY" });
    const arn = await certificates.request(request);
    expect([...fake.state.certificates.keys()]).toEqual([arn]);
  });

  it("fails the next call of a command on demand, before it takes effect", async () => {
    const { dns } = fake.provisioning;
    const platform = await dns.platformZone();
    const record = { name: "bot.acme.api.botgate.test", type: "A" as const, values: ["192.0.2.1"], ttl: 60 };
    fake.state.failNext(
      "ChangeResourceRecordSets",
      Object.assign(new Error("Rate exceeded"), { name: "Throttling" }),
    );
    await expect(dns.upsertRecords(platform.id, [record])).rejects.toMatchObject({ code: "BAD_GATEWAY" });
    expect(await dns.listRecords(platform.id)).toEqual([]);
    await dns.upsertRecords(platform.id, [record]);
    expect(await dns.listRecords(platform.id)).toEqual([record]);
  });

  it("checks DNS through its real resolver against the loopback server it was given", async () => {
    resolver.records("bot.acme.api.botgate.test", { CNAME: ["edge.botgate.net"] });
    const check = await fake.provisioning.checker.check({
      name: "bot.acme.api.botgate.test",
      type: "CNAME",
      values: ["edge.botgate.net"],
    });
    expect(check).toMatchObject({ outcome: "match", resolver: [resolver.address] });
  });
});
