// Races the database must decide, over real concurrent HTTP calls.
import { markDomainVerified } from "@botgate/api";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestDnsServer, type TestDnsServer } from "./dns-server.ts";
import { createAccount, eventually, startTestServer, type TestServer } from "./harness.ts";

let dns: TestDnsServer;
let server: TestServer;

beforeAll(async () => {
  dns = await startTestDnsServer();
  server = await startTestServer({ env: { DNS_RESOLVERS: dns.address } });
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

const codeOf = (result: PromiseSettledResult<unknown>) =>
  result.status === "fulfilled"
    ? "OK"
    : result.reason instanceof TRPCClientError
      ? result.reason.data?.code
      : "?";

describe("concurrent claims and deployments", () => {
  it("gives a domain verified by two accounts at once to exactly one of them", async () => {
    const services = { ...server.runtime, logger: console };
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([createAccount(server), createAccount(server)]);
      const domainName = `contested-${round}.com`;
      // Two claims at the last step at once (DNS right, certificates issued), written directly
      // so no job touches them: only the database can tell the two verifications apart.
      const claims = await Promise.all(
        [a, b].map((user, i) =>
          server.runtime.db.chatBotCustomDomain.create({
            data: {
              domainName,
              verificationToken: `race${round}${i}`,
              verificationStatus: "IssuingCertificate",
              claimExpiresAt: new Date(Date.now() + 3_600_000),
              accountId: user.accountId,
              userProfileId: user.userProfileId,
            },
          }),
        ),
      );
      const outcomes = await Promise.all(claims.map((claim) => markDomainVerified(services, claim.id)));
      expect(outcomes.sort()).toEqual(["verified", "verified_elsewhere"]);
      const verified = await server.runtime.db.chatBotCustomDomain.count({
        where: { domainName, isVerified: true },
      });
      expect(verified).toBe(1);
      const loser = await server.runtime.db.chatBotCustomDomain.findFirstOrThrow({
        where: { domainName, isVerified: false },
      });
      expect(loser).toMatchObject({ verificationStatus: "AwaitingDns" });
      expect(loser.failureReason).toContain("verified by another account");
    }
  });

  it("lets one account claim a name only once, however many calls race", async () => {
    const owner = await createAccount(server);
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => owner.client.domain.create.mutate({ domainName: "once.example.com" })),
    );
    expect(results.map(codeOf).sort()).toEqual(["CONFLICT", "CONFLICT", "OK"]);
  });

  it("deploys a chatbot deployed twice at once only once", async () => {
    const owner = await createAccount(server);
    for (let round = 0; round < 5; round++) {
      const bot = await owner.client.chatbot.create.mutate({ name: `racer${round}` });
      // The deployment job checks the default host through the test's resolver.
      dns.a.set(bot.defaultHost, ["127.0.0.1"]);
      const results = await Promise.all([
        owner.client.chatbot.deploy.mutate({ id: bot.id }),
        owner.client.chatbot.deploy.mutate({ id: bot.id }),
        owner.client.chatbot.deploy.mutate({ id: bot.id }),
      ]);
      expect(results.every((r) => r.deployed)).toBe(true);
      const started = await server.runtime.db.chatBotEvent.count({
        where: { chatbotId: bot.id, type: "deployment.started" },
      });
      expect(started).toBe(1);
      const jobs = await server.runtime.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'chatbot-deployment'
           AND data->>'chatbotId' = $1 AND (data->>'attempt')::int = 0`,
        String(bot.id),
      );
      expect(jobs[0]?.n).toBe(1);
      await eventually(async () => (await owner.client.chatbot.get.query({ id: bot.id })).live, {
        what: "the deployment to go live",
      });
    }
  });

  it("lets only one of two chatbots created at once take a host name", async () => {
    const owner = await createAccount(server);
    const results = await Promise.allSettled([
      owner.client.chatbot.create.mutate({ name: "sameHost" }),
      owner.client.chatbot.create.mutate({ name: "SameHost" }),
    ]);
    expect(results.map(codeOf).sort()).toEqual(["CONFLICT", "OK"]);
  });
});
