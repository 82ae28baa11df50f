// A deploy of a chatbot's default host driven through the real tRPC client and the inline worker
// against the mocked AWS provider (aws-sdk-client-mock with a stateful Route53/ACM fake): the
// exact commands and inputs, no duplicate on a repeated job or a lost answer, nothing left after
// delete. The DNS check asks a scripted DNS server on loopback.
import { platformConfig } from "@botgate/core";
import { certificateToken } from "@botgate/jobs";
import {
  type AwsFake,
  createAwsFake,
  startTestDnsServer,
  type TestDnsServer,
} from "@botgate/provisioning/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createAccount,
  deployAndWait,
  eventually,
  startTestServer,
  TEST_ENV,
  type TestServer,
  type TestUser,
} from "./harness.ts";

const EDGE = "edge.example.net";
let fake: AwsFake;
let resolver: TestDnsServer;
let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  resolver = await startTestDnsServer();
  const { apiDomain } = platformConfig({ environment: "local", rootDomain: TEST_ENV.PLATFORM_ROOT_DOMAIN });
  // Two DescribeCertificate answers stay PENDING_VALIDATION after the records exist: polled.
  fake = createAwsFake({
    platformDomain: apiDomain,
    pendingDescribes: 2,
    nameServersForChecks: [resolver.address],
  });
  server = await startTestServer({
    env: { EDGE_TARGET: EDGE, DEPLOY_RECHECK_BASE_SECONDS: "0.2", DEPLOY_RECHECK_MAX_SECONDS: "1" },
    provisioning: { ...fake.provisioning, localDns: null },
  });
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
  await fake?.provisioning.close();
  await resolver?.close();
});
beforeEach(() => {
  fake.route53Mock.resetHistory();
  fake.acmMock.resetHistory();
});

/** The inputs of every call of one command, in order. */
function inputsOf(
  mock: AwsFake["route53Mock"] | AwsFake["acmMock"],
  command: string,
): Record<string, unknown>[] {
  return mock
    .calls()
    .filter((call) => (call.args[0] as object).constructor.name === `${command}Command`)
    .map((call) => (call.args[0] as unknown as { input: Record<string, unknown> }).input);
}

function hostRecords(host: string) {
  return fake.state
    .records(fake.state.platformZoneId)
    .filter((r) => r.name === host || r.name.endsWith(`.${host}`));
}

function certificatesFor(host: string) {
  return [...fake.state.certificates.values()].filter((c) => c.domainName === host);
}

async function createAnswering(name: string) {
  const bot = await admin.client.chatbot.create.mutate({ name });
  const view = await admin.client.chatbot.get.query({ id: bot.id });
  // What public DNS would answer once Route53 serves the record.
  resolver.records(view.defaultHost, { CNAME: [EDGE] });
  return view;
}

async function generationOf(id: number) {
  const row = await server.runtime.db.chatBot.findUniqueOrThrow({
    where: { id },
    select: { deploymentGeneration: true },
  });
  return row.deploymentGeneration;
}

describe("deploying a default host on the mocked AWS provider", () => {
  it("upserts the host record and the validation CNAME, requests one certificate and polls it to ISSUED", async () => {
    const bot = await createAnswering("awsReady");
    const host = bot.defaultHost;
    const ready = await deployAndWait(admin.client, bot.id);
    expect(ready).toMatchObject({
      provisioning: "aws",
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
    });

    const changes = inputsOf(fake.route53Mock, "ChangeResourceRecordSets");
    expect(changes).toContainEqual({
      HostedZoneId: fake.state.platformZoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: { Name: host, Type: "CNAME", TTL: 300, ResourceRecords: [{ Value: EDGE }] },
          },
        ],
        Comment: "botgate",
      },
    });
    const requests = inputsOf(fake.acmMock, "RequestCertificate");
    expect(requests).toEqual([
      expect.objectContaining({
        DomainName: host,
        ValidationMethod: "DNS",
        IdempotencyToken: certificateToken(bot.id, host, await generationOf(bot.id)),
      }),
    ]);
    const [certificate] = certificatesFor(host);
    const validation = certificate?.validation[0];
    expect(validation).toBeDefined();
    expect(changes).toContainEqual({
      HostedZoneId: fake.state.platformZoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: "UPSERT",
            ResourceRecordSet: {
              Name: validation?.name.replace(/\.$/, ""),
              Type: "CNAME",
              TTL: 300,
              ResourceRecords: [{ Value: validation?.value.replace(/\.$/, "") }],
            },
          },
        ],
        Comment: "botgate",
      },
    });
    // Polled: the pending answers, then ISSUED.
    const describes = inputsOf(fake.acmMock, "DescribeCertificate").filter(
      (i) => i.CertificateArn === certificate?.arn,
    );
    expect(describes.length).toBeGreaterThanOrEqual(3);
    expect(certificate?.status).toBe("ISSUED");
    expect(hostRecords(host).filter((r) => r.name === host)).toEqual([
      { name: host, type: "CNAME", values: [EDGE] },
    ]);
    expect(certificatesFor(host)).toHaveLength(1);
  });

  it("runs the deployment job twice without a second record or certificate", async () => {
    const bot = await createAnswering("awsTwice");
    await deployAndWait(admin.client, bot.id);
    const generation = await generationOf(bot.id);
    fake.acmMock.resetHistory();
    await server.runtime.db.$transaction((tx) =>
      server.runtime.jobs.enqueue(tx, {
        name: "chatbot-deployment",
        data: { action: "deploy", chatbotId: bot.id, generation, attempt: 0, mismatches: 0 },
        singletonKey: `chatbot:${bot.id}`,
      }),
    );
    await eventually(async () => {
      const rows = await server.runtime.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'chatbot-deployment'
           AND singleton_key = $1 AND state < 'completed'`,
        `chatbot:${bot.id}`,
      );
      return rows[0]?.n === 0;
    });
    expect(hostRecords(bot.defaultHost).filter((r) => r.name === bot.defaultHost)).toHaveLength(1);
    expect(certificatesFor(bot.defaultHost)).toHaveLength(1);
    // The repeated job did its work again (same token), it did not skip it.
    expect(inputsOf(fake.acmMock, "DescribeCertificate").length).toBeGreaterThan(0);
  });

  it("loses AWS's answers after the work was done and still ends with one record and one certificate", async () => {
    const bot = await createAnswering("awsLost");
    const lost = () => Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
    fake.state.failNext("ChangeResourceRecordSets", lost(), { afterApplying: true });
    fake.state.failNext("RequestCertificate", lost(), { afterApplying: true });
    const ready = await deployAndWait(admin.client, bot.id);
    expect(ready).toMatchObject({
      dnsVerificationStatus: "Verified",
      tlsCertificateIssuanceStatus: "Issued",
    });
    // Both calls were made again after their lost answers, with the same token.
    const requests = inputsOf(fake.acmMock, "RequestCertificate");
    expect(requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(requests.map((r) => r.IdempotencyToken)).size).toBe(1);
    const hostUpserts = inputsOf(fake.route53Mock, "ChangeResourceRecordSets").filter((i) =>
      JSON.stringify(i).includes(`"Name":"${bot.defaultHost}"`),
    );
    expect(hostUpserts.length).toBeGreaterThanOrEqual(2);
    expect(hostRecords(bot.defaultHost).filter((r) => r.name === bot.defaultHost)).toHaveLength(1);
    expect(certificatesFor(bot.defaultHost)).toHaveLength(1);
  });

  it("deletes a deployed chatbot and leaves no record or certificate at AWS", async () => {
    const bot = await createAnswering("awsDoomed");
    await deployAndWait(admin.client, bot.id);
    expect(hostRecords(bot.defaultHost).length).toBeGreaterThan(0);
    await admin.client.chatbot.delete.mutate({ id: bot.id });
    const left = await eventually(
      async () => {
        const held = {
          records: hostRecords(bot.defaultHost),
          certificates: certificatesFor(bot.defaultHost),
        };
        return held.records.length === 0 && held.certificates.length === 0 ? held : null;
      },
      { what: "records and certificate removed" },
    );
    expect(left).toEqual({ records: [], certificates: [] });
    // Also as the provider itself lists them.
    const { dns, certificates } = server.runtime.provisioning;
    const listed = await dns.listRecords((await dns.platformZone()).id);
    expect(listed.filter((r) => r.name.endsWith(bot.defaultHost))).toEqual([]);
    const arns = await certificates.list();
    for (const arn of arns) expect((await certificates.describe(arn))?.domainName).not.toBe(bot.defaultHost);
  });
});
