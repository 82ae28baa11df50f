// Webhooks end to end: endpoints made through the admin API, events recorded by real
// procedures, deliveries to a real HTTP receiver that verifies every signature with the
// standardwebhooks library's own Webhook#verify.
import { randomBytes } from "node:crypto";
import { createSecretBox, deleteOldWebhookDeliveries, recordEvents } from "@botgate/api";
import { type Receiver, startReceiver } from "@botgate/webhooks/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  createMember,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

/** Polls until `check` answers a value (generous deadline: loaded machines). */
async function eventually<T>(
  check: () => Promise<T | null | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let server: TestServer;
let receivers: Receiver[] = [];

async function receiver(): Promise<Receiver> {
  const r = await startReceiver();
  receivers.push(r);
  return r;
}

async function endpointFor(user: TestUser, r: Receiver, eventTypes: string[] = []) {
  const endpoint = await user.client.webhook.create.mutate({ url: r.url, eventTypes });
  r.secret = endpoint.secret;
  return endpoint;
}

beforeAll(async () => {
  // Short retries; a day of failures is far away here (see the second suite for disabling).
  server = await startTestServer({
    env: { WEBHOOK_RETRY_DELAYS_SECONDS: "0.3,0.3,0.3", WEBHOOK_TIMEOUT_SECONDS: "5" },
  });
});
afterEach(async () => {
  for (const r of receivers) await r.close();
  receivers = [];
});
afterAll(async () => {
  await server?.close();
});

describe("an endpoint", () => {
  it("answers its whsec_ secret once and never again", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const [listed] = await admin.client.webhook.list.query();
    expect(listed).toMatchObject({ id: endpoint.id, url: r.url, enabled: true, eventTypes: [] });
    expect(listed).not.toHaveProperty("secret");
    expect(JSON.stringify(await admin.client.webhook.list.query())).not.toContain(endpoint.secret.slice(6));
    // Stored sealed, not in plain text.
    const row = await server.runtime.db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.id } });
    expect(row.secretSealed).not.toContain(endpoint.secret.slice(6));
    expect(server.runtime.secrets.open(row.secretSealed)).toBe(endpoint.secret);
  });

  it("refuses URLs with credentials or other schemes, with a message about the url field", async () => {
    const admin = await createAccount(server);
    for (const url of ["https://user:secret@example.com/hook", "ftp://example.com/", "not a url"]) {
      const error = await expectTRPCError(admin.client.webhook.create.mutate({ url }), "BAD_REQUEST");
      expect(error.data?.fieldErrors?.url?.[0], url).toMatch(/^The URL must/);
    }
  });

  it("may be listed by members, but only admins create, test or delete", async () => {
    const admin = await createAccount(server);
    const member = await createMember(server, admin.accountNumber);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r);
    expect((await member.client.webhook.list.query()).map((e) => e.id)).toEqual([endpoint.id]);
    await expectTRPCError(member.client.webhook.create.mutate({ url: r.url }), "FORBIDDEN");
    await expectTRPCError(member.client.webhook.test.mutate({ id: endpoint.id }), "FORBIDDEN");
    await expectTRPCError(member.client.webhook.delete.mutate({ id: endpoint.id }), "FORBIDDEN");
  });
});

describe("events", () => {
  it("reach every matching endpoint signed, with type, time and the event's data", async () => {
    const admin = await createAccount(server);
    const all = await receiver();
    const dnsOnly = await receiver();
    const domainsOnly = await receiver();
    await endpointFor(admin, all);
    await endpointFor(admin, dnsOnly, ["dns.status_changed"]);
    const domains = await endpointFor(admin, domainsOnly, ["domain.created"]);

    const bot = await admin.client.chatbot.create.mutate({ name: "hooked" });
    await admin.client.chatbot.deploy.mutate({ id: bot.id });

    const [dns] = await dnsOnly.waitFor(1);
    expect(dns?.verifyError).toBeNull();
    expect(dns?.verified).toMatchObject({
      type: "dns.status_changed",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      data: { chatbotId: bot.id, customDomainId: null, from: "Not Verified", to: expect.any(String) },
    });
    expect(dns?.headers["webhook-id"]).toMatch(/^evt_\d+$/);

    const types = await eventually(async () => {
      const seen = all.received.map((hook) => (hook.verified as { type: string } | null)?.type);
      return seen.includes("dns.status_changed") && seen.includes("tls.status_changed") ? seen : null;
    }, 60_000);
    expect(types).toEqual(expect.arrayContaining(["chatbot.created", "deployment.started"]));
    expect(all.received.every((hook) => hook.verifyError === null)).toBe(true);
    // The filter held: nothing for the domain endpoint, and no delivery row either.
    expect(domainsOnly.received).toHaveLength(0);
    expect((await admin.client.webhook.deliveries.query({ id: domains.id })).items).toHaveLength(0);
  });

  it("of another account never reach this account's endpoints", async () => {
    const admin = await createAccount(server);
    const other = await createAccount(server);
    const mine = await receiver();
    const theirs = await receiver();
    await endpointFor(admin, mine);
    await endpointFor(other, theirs);
    await other.client.chatbot.create.mutate({ name: "elsewhere" });
    await theirs.waitFor(1);
    await admin.client.chatbot.create.mutate({ name: "mine" });
    await mine.waitFor(1);
    expect(mine.received).toHaveLength(1);
    expect(theirs.received).toHaveLength(1);
    expect(mine.received[0]?.headers["webhook-id"]).not.toBe(theirs.received[0]?.headers["webhook-id"]);
  });
});

describe("fan-out", () => {
  const jobsOf = async (deliveryIds: number[]) => {
    const rows = await server.runtime.db.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(*) AS count FROM pgboss.job WHERE name = 'webhook-delivery' AND (data->>'deliveryId')::int = ANY($1)`,
      deliveryIds,
    );
    return Number(rows[0]?.count ?? 0);
  };

  it("commits an event with its deliveries and their jobs, or rolls all of them back", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const failed = await server.runtime.db
      .$transaction(async (tx) => {
        await recordEvents(tx, admin.accountId, [
          { type: "domain.created", data: { domainName: "gone.example" } },
        ]);
        throw new Error("the change that caused the event failed");
      })
      .catch((error: Error) => error.message);
    expect(failed).toBe("the change that caused the event failed");
    expect(await server.runtime.db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(0);
    const maxId = await server.runtime.db.webhookDelivery.aggregate({ _max: { id: true } });
    expect(await jobsOf([...Array(20).keys()].map((i) => (maxId._max.id ?? 0) + 1 + i))).toBe(0);

    await server.runtime.db.$transaction((tx) =>
      recordEvents(tx, admin.accountId, [{ type: "domain.created", data: { domainName: "kept.example" } }]),
    );
    const [hook] = await r.waitFor(1);
    expect(hook?.verified).toMatchObject({ type: "domain.created", data: { domainName: "kept.example" } });
    const deliveries = await server.runtime.db.webhookDelivery.findMany({
      where: { endpointId: endpoint.id },
    });
    expect(deliveries).toHaveLength(1);
    expect(await jobsOf(deliveries.map((d) => d.id))).toBe(1);
    expect(r.received).toHaveLength(1);
  });
});

describe("a failing delivery", () => {
  it("is retried with backoff under the same webhook-id until it is delivered", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    r.respond = (index) => (index < 2 ? 500 : 204);
    const endpoint = await endpointFor(admin, r, ["chatbot.created"]);
    await admin.client.chatbot.create.mutate({ name: "flaky" });

    const hooks = await r.waitFor(3);
    expect(new Set(hooks.map((hook) => hook.headers["webhook-id"])).size).toBe(1);
    expect(hooks.every((hook) => hook.verifyError === null)).toBe(true);
    for (let i = 1; i < hooks.length; i++) {
      const gap = (hooks[i]?.receivedAt.getTime() ?? 0) - (hooks[i - 1]?.receivedAt.getTime() ?? 0);
      // 0.3 s minus at most 10 % jitter.
      expect(gap).toBeGreaterThanOrEqual(250);
    }
    const delivery = await eventually(async () => {
      const [item] = (await admin.client.webhook.deliveries.query({ id: endpoint.id })).items;
      return item?.status === "delivered" ? item : null;
    });
    expect(delivery).toMatchObject({
      attempts: 3,
      lastResponseStatus: 204,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(delivery.deliveredAt).toBeInstanceOf(Date);
    const [listed] = await admin.client.webhook.list.query();
    expect(listed).toMatchObject({ enabled: true, failingSince: null });
  });

  it("gives up after the last retry, the error visible through the API", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    r.respond = () => 503;
    const endpoint = await endpointFor(admin, r, ["chatbot.created"]);
    await admin.client.chatbot.create.mutate({ name: "down" });
    const delivery = await eventually(async () => {
      const [item] = (await admin.client.webhook.deliveries.query({ id: endpoint.id })).items;
      return item?.status === "failed" ? item : null;
    });
    expect(delivery).toMatchObject({
      attempts: 4,
      lastResponseStatus: 503,
      lastError: "answered 503",
      nextAttemptAt: null,
    });
    expect(r.received).toHaveLength(4);
    const [listed] = await admin.client.webhook.list.query();
    expect(listed?.failingSince).toBeInstanceOf(Date);
  });

  it("answered 410 Gone disables the endpoint at once, with a webhook.disabled event", async () => {
    const admin = await createAccount(server);
    const gone = await receiver();
    gone.respond = () => 410;
    const watcher = await receiver();
    const endpoint = await endpointFor(admin, gone, ["chatbot.created"]);
    await endpointFor(admin, watcher, ["webhook.disabled"]);
    await admin.client.chatbot.create.mutate({ name: "gone" });

    const [notice] = await watcher.waitFor(1);
    expect(notice?.verified).toMatchObject({
      type: "webhook.disabled",
      data: { endpointId: endpoint.id, url: gone.url, reason: "The endpoint answered 410 Gone." },
    });
    expect(gone.received).toHaveLength(1);
    const listed = (await admin.client.webhook.list.query()).find((e) => e.id === endpoint.id);
    expect(listed).toMatchObject({ enabled: false, disabledReason: "The endpoint answered 410 Gone." });
    // Disabled: later events are not sent to it.
    await admin.client.chatbot.create.mutate({ name: "later" });
    const [delivery] = (await admin.client.webhook.deliveries.query({ id: endpoint.id })).items;
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, lastResponseStatus: 410 });

    const enabled = await admin.client.webhook.enable.mutate({ id: endpoint.id });
    expect(enabled).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
  });
});

describe("webhook.test", () => {
  it("sends a signed webhook.test event now and answers the delivery", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const result = await admin.client.webhook.test.mutate({ id: endpoint.id });
    expect(result).toMatchObject({
      status: "delivered",
      attempts: 1,
      lastResponseStatus: 204,
      lastError: null,
    });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]?.verified).toMatchObject({
      type: "webhook.test",
      data: { endpointId: endpoint.id },
    });
    const page = await admin.client.webhook.deliveries.query({ id: endpoint.id });
    expect(page.items.map((item) => item.id)).toEqual([result.id]);
  });

  it("answers a failure without retrying it or marking the endpoint failing", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    r.respond = () => 500;
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const result = await admin.client.webhook.test.mutate({ id: endpoint.id });
    expect(result).toMatchObject({
      status: "failed",
      attempts: 1,
      lastResponseStatus: 500,
      nextAttemptAt: null,
    });
    const [listed] = await admin.client.webhook.list.query();
    expect(listed).toMatchObject({ enabled: true, failingSince: null });
  });
});

describe("a secret sealed under another key", () => {
  it("fails the delivery with a reason instead of retrying it forever", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const otherKey = createSecretBox(new Uint8Array(randomBytes(32)));
    await server.runtime.db.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: { secretSealed: otherKey.seal(endpoint.secret) },
    });
    const result = await admin.client.webhook.test.mutate({ id: endpoint.id });
    expect(result).toMatchObject({
      status: "failed",
      lastError: "the endpoint's secret cannot be decrypted",
    });
    expect(r.received).toHaveLength(0);
  });
});

describe("webhook.deliveries", () => {
  it("pages through an endpoint's deliveries, newest first", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await admin.client.webhook.test.mutate({ id: endpoint.id })).id);
    const first = await admin.client.webhook.deliveries.query({ id: endpoint.id, limit: 2 });
    expect(first.items.map((item) => item.id)).toEqual([ids[2], ids[1]]);
    const rest = await admin.client.webhook.deliveries.query({
      id: endpoint.id,
      limit: 2,
      cursor: first.nextCursor ?? 0,
    });
    expect(rest).toMatchObject({ items: [{ id: ids[0] }], nextCursor: null });
  });

  it("deleting the endpoint deletes them, and its id is then unknown", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    await admin.client.webhook.test.mutate({ id: endpoint.id });
    await admin.client.webhook.delete.mutate({ id: endpoint.id });
    await expectTRPCError(admin.client.webhook.deliveries.query({ id: endpoint.id }), "NOT_FOUND");
    expect(await server.runtime.db.webhookDelivery.count({ where: { endpointId: endpoint.id } })).toBe(0);
  });
});

describe("stored deliveries", () => {
  it("are bounded: finished ones older than the retention are deleted, pending ones kept", async () => {
    const admin = await createAccount(server);
    const r = await receiver();
    const endpoint = await endpointFor(admin, r, ["domain.created"]);
    const old = await admin.client.webhook.test.mutate({ id: endpoint.id });
    const recent = await admin.client.webhook.test.mutate({ id: endpoint.id });
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    await server.runtime.db.webhookDelivery.update({ where: { id: old.id }, data: { createdAt: longAgo } });
    // Still retrying (an event recorded directly, so no job picks it up meanwhile).
    const event = await server.runtime.db.chatBotEvent.create({
      data: { accountId: admin.accountId, type: "webhook.test" },
    });
    const pending = await server.runtime.db.webhookDelivery.create({
      data: { endpointId: endpoint.id, eventId: event.id, createdAt: longAgo, nextAttemptAt: new Date() },
    });
    await deleteOldWebhookDeliveries(server.runtime.db, new Date(Date.now() - 30 * 86_400_000));
    const left = (await admin.client.webhook.deliveries.query({ id: endpoint.id })).items.map(
      (item) => item.id,
    );
    expect(left).not.toContain(old.id);
    expect(left).toContain(recent.id);
    expect(left).toContain(pending.id);
  });
});
