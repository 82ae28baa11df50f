import { afterEach, describe, expect, it } from "vitest";
import { createProvisioning, type ProvisioningRuntime } from "../src/index.ts";

const opened: ProvisioningRuntime[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((p) => p.close()));
});

describe("createProvisioning", () => {
  it("builds the local providers with the embedded DNS server, pointing default hosts at loopback", async () => {
    const local = await createProvisioning({
      kind: "local",
      local: { rootDomain: "botgate.localhost", platformDomain: "api.local.botgate.localhost" },
    });
    opened.push(local);
    expect(local.kind).toBe("local");
    expect(local.dns.kind).toBe("local");
    expect(local.certificates.kind).toBe("local");
    expect(local.localDnsServer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(local.edgeRecord("Bot.Acme.api.local.botgate.localhost.")).toEqual({
      name: "bot.acme.api.local.botgate.localhost",
      type: "A",
      values: ["127.0.0.1"],
      ttl: 60,
    });
    const zone = await local.dns.platformZone();
    await local.dns.upsertRecords(zone.id, [local.edgeRecord("bot.acme.api.local.botgate.localhost")]);
    const check = await local.checker.check({
      name: "bot.acme.api.local.botgate.localhost",
      type: "A",
      values: ["127.0.0.1"],
    });
    expect(check.outcome).toBe("match");
  });

  it("builds the aws providers, a hostname edge target giving CNAME records", async () => {
    const aws = await createProvisioning({
      kind: "aws",
      edgeTarget: "Edge.Botgate.net.",
      aws: { region: "us-east-1", platformHostedZoneId: "Z0123456789ABCDEFGHIJ" },
    });
    opened.push(aws);
    expect([aws.kind, aws.dns.kind, aws.certificates.kind, aws.localDnsServer]).toEqual([
      "aws",
      "aws",
      "aws",
      null,
    ]);
    expect(aws.edgeRecord("bot.acme.api.botgate.net", 300)).toEqual({
      name: "bot.acme.api.botgate.net",
      type: "CNAME",
      values: ["edge.botgate.net"],
      ttl: 300,
    });
  });

  it("gives AAAA records for an IPv6 edge target", async () => {
    const local = await createProvisioning({
      kind: "local",
      edgeTarget: "::1",
      local: { rootDomain: "botgate.localhost", platformDomain: "api.local.botgate.localhost" },
    });
    opened.push(local);
    expect(local.edgeRecord("a.b.c").type).toBe("AAAA");
  });

  it("rejects invalid settings with a typed error naming the setting", async () => {
    await expect(
      createProvisioning({
        kind: "aws",
        edgeTarget: "edge.botgate.net",
        aws: { region: "nowhere", platformHostedZoneId: "nope" },
      }),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /aws\.region: not an AWS region.*aws\.platformHostedZoneId: not a Route53 hosted zone id/,
      ),
    });
  });
});
