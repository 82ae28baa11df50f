// An endpoint whose deliveries keep failing for WEBHOOK_DISABLE_AFTER_HOURS is disabled, and
// the account is told with a webhook.disabled event. Here "a day" is about a second.
import { type Receiver, startReceiver } from "@botgate/webhooks/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
let failing: Receiver;
let watcher: Receiver;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      WEBHOOK_DISABLE_AFTER_HOURS: "0.0003",
      WEBHOOK_RETRY_DELAYS_SECONDS: Array(20).fill("0.25").join(","),
    },
  });
  failing = await startReceiver();
  watcher = await startReceiver();
});
afterAll(async () => {
  await failing?.close();
  await watcher?.close();
  await server?.close();
});

describe("an endpoint failing for the configured period", () => {
  it("is disabled, and a webhook.disabled event tells the account why", async () => {
    const admin = await createAccount(server);
    failing.respond = () => 503;
    const endpoint = await admin.client.webhook.create.mutate({
      url: failing.url,
      eventTypes: ["chatbot.created"],
    });
    failing.secret = endpoint.secret;
    const watching = await admin.client.webhook.create.mutate({
      url: watcher.url,
      eventTypes: ["webhook.disabled"],
    });
    watcher.secret = watching.secret;
    await admin.client.chatbot.create.mutate({ name: "unlucky" });

    const [notice] = await watcher.waitFor(1, 60_000);
    expect(notice?.verifyError).toBeNull();
    expect(notice?.verified).toMatchObject({
      type: "webhook.disabled",
      data: { endpointId: endpoint.id, reason: "Every delivery failed for 1.1 seconds." },
    });
    // Retried until the failures spanned the period (0.0003 h = 1.08 s), then no more.
    const hooks = failing.received;
    expect(hooks.length).toBeGreaterThanOrEqual(2);
    const span = (hooks.at(-1)?.receivedAt.getTime() ?? 0) - (hooks[0]?.receivedAt.getTime() ?? 0);
    expect(span).toBeGreaterThanOrEqual(1_000);
    expect(new Set(hooks.map((hook) => hook.headers["webhook-id"])).size).toBe(1);
    const listed = (await admin.client.webhook.list.query()).find((e) => e.id === endpoint.id);
    expect(listed).toMatchObject({
      enabled: false,
      disabledReason: "Every delivery failed for 1.1 seconds.",
    });
    const [delivery] = (await admin.client.webhook.deliveries.query({ id: endpoint.id })).items;
    expect(delivery).toMatchObject({ status: "failed", lastResponseStatus: 503, nextAttemptAt: null });
    const events = await server.runtime.db.chatBotEvent.count({
      where: { accountId: admin.accountId, type: "webhook.disabled" },
    });
    expect(events).toBe(1);
  });
});
