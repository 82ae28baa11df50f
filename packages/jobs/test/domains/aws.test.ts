// The custom-domain jobs on the AWS provider (Route53 and ACM behind aws-sdk-client-mock's
// stateful fake), with a scripted DNS server as the world: a zone created once whatever the
// retries (one CallerReference), one certificate request (one IdempotencyToken), and two
// accounts' claims of one name each with a zone of its own, the delegated one winning.
import { ownershipRecord } from "@botgate/api";
import { createAwsFake, startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { domainJobHandlers } from "../../src/domains/index.ts";
import { claim, type DomainWorld, newAccount, startDomainWorld } from "./support.ts";

let dns: TestDnsServer;
let fake: ReturnType<typeof createAwsFake>;
let world: DomainWorld;

beforeAll(async () => {
  dns = await startTestDnsServer();
  fake = createAwsFake({
    nameServersForChecks: [dns.address],
    platformDomain: "api.local.botgate.localhost",
  });
  world = await startDomainWorld({ provisioning: fake.provisioning });
});
afterAll(async () => {
  await world?.close();
  await dns?.close();
});

/** The inputs of every call of one command (by name: this package does not import the SDK). */
function inputsOf(mock: { calls(): { args: unknown[] }[] }, command: string): Record<string, unknown>[] {
  return mock
    .calls()
    .map((call) => call.args[0] as { constructor: { name: string }; input: Record<string, unknown> })
    .filter((sent) => sent.constructor.name === command)
    .map((sent) => sent.input);
}

const lost = () => Object.assign(new Error("socket hang up"), { name: "TimeoutError" });

/** What a retrying queue does: runs the job again after it threw. */
async function withRetry(run: () => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      await run();
      return attempt;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

describe("on AWS", () => {
  it("creates one hosted zone and requests one certificate across lost answers and retries", async () => {
    const owner = await newAccount(world);
    const row = await claim(world, owner, "retry.example.com");
    const handlers = domainJobHandlers(world.services);
    const provision = handlers["domain-provision"];
    const verify = handlers["domain-verify"];
    if (!provision || !verify) throw new Error("missing handlers");
    await world.db.$executeRaw`DELETE FROM test_jobs`;

    // AWS created the zone but the answer was lost: the retry gets the same zone back.
    fake.state.failNext("CreateHostedZone", lost(), { afterApplying: true });
    expect(await withRetry(() => provision({ data: { domainId: row.id } }))).toBe(2);
    const calls = inputsOf(fake.route53Mock, "CreateHostedZoneCommand");
    expect(calls).toHaveLength(2);
    const references = new Set(calls.map((input) => input.CallerReference));
    expect(references.size).toBe(1);
    const zones = [...fake.state.zones.values()].filter((z) => z.name === "retry.example.com.");
    expect(zones).toHaveLength(1);
    const domain = await world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id: row.id } });
    expect(domain.provisionedBy).toBe("aws");
    expect(domain.awsHostedZoneId ?? "").toContain(zones[0]?.id.replace("/hostedzone/", "") ?? "?");
    expect(domain.nameServers).toEqual(zones[0]?.nameServers);
    // The ownership record is in the zone, recorded.
    const txt = ownershipRecord("retry.example.com", row.verificationToken);
    expect(fake.state.records(zones[0]?.id ?? "")).toContainEqual({
      name: txt.name,
      type: "TXT",
      values: [txt.value],
    });

    // The world delegates to this zone; the certificate request's answer is lost once.
    dns.records("retry.example.com", { NS: domain.nameServers });
    dns.records(txt.name, { TXT: [txt.value] });
    fake.state.failNext("RequestCertificate", lost(), { afterApplying: true });
    await world.db.$executeRaw`DELETE FROM test_jobs`;
    expect(await withRetry(() => verify({ data: { domainId: row.id } }))).toBe(2);
    await world.drain();

    const requests = inputsOf(fake.acmMock, "RequestCertificateCommand");
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((input) => input.IdempotencyToken)).size).toBe(1);
    expect(requests[0]).toMatchObject({
      DomainName: "retry.example.com",
      SubjectAlternativeNames: expect.arrayContaining(["*.retry.example.com"]),
      ValidationMethod: "DNS",
    });
    const certificates = [...fake.state.certificates.values()].filter(
      (c) => c.domainName === "retry.example.com",
    );
    expect(certificates).toHaveLength(1);
    const verified = await world.db.chatBotCustomDomain.findUniqueOrThrow({ where: { id: row.id } });
    expect(verified).toMatchObject({
      isVerified: true,
      verificationStatus: "Verified",
      certificateStatus: "ISSUED",
    });
  });

  it("gives two accounts' claims of one name a zone each; the one the world delegates to wins", async () => {
    const [a, b] = [await newAccount(world), await newAccount(world)];
    const first = await claim(world, a, "contested.example.com", "token-a");
    const second = await claim(world, b, "contested.example.com", "token-b");
    await world.drain();
    const rows = await world.db.chatBotCustomDomain.findMany({
      where: { id: { in: [first.id, second.id] } },
    });
    expect(new Set(rows.map((r) => r.awsHostedZoneId)).size).toBe(2);

    const winner = rows.find((r) => r.id === second.id);
    if (!winner) throw new Error("no row");
    dns.records("contested.example.com", { NS: winner.nameServers });
    dns.records(ownershipRecord("contested.example.com", "token-b").name, {
      TXT: [ownershipRecord("contested.example.com", "token-b").value],
    });
    for (const row of rows) {
      await world.db.$transaction((tx) =>
        world.services.jobs.enqueue(tx, { name: "domain-verify", data: { domainId: row.id } }),
      );
    }
    await world.drain();
    const after = await world.db.chatBotCustomDomain.findMany({
      where: { id: { in: [first.id, second.id] } },
    });
    expect(after.find((r) => r.id === second.id)).toMatchObject({ isVerified: true });
    const loser = after.find((r) => r.id === first.id);
    expect(loser).toMatchObject({ isVerified: false, verificationStatus: "AwaitingDns" });
    expect(loser?.failureReason).toContain("not among the name servers");
  });
});
