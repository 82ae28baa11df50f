// Deliveries to a real HTTP receiver that verifies each signature with standardwebhooks' own
// Webhook#verify.
import { createServer } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverWebhook } from "../src/deliver.ts";
import { webhookPayload } from "../src/payload.ts";
import { generateWebhookSecret, isWebhookSecret, signWebhook } from "../src/signing.ts";
import { type Receiver, startReceiver } from "../src/testing.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

const payload = webhookPayload("dns.status_changed", new Date("2026-12-02T00:00:00Z"), {
  chatbotId: 7,
  from: "Verifying",
  to: "Verified",
});

function attempt(secret: string, overrides: Partial<Parameters<typeof deliverWebhook>[0]> = {}) {
  return deliverWebhook({
    url: receiver.url,
    secret,
    messageId: "evt_1",
    payload,
    timeoutMs: 5_000,
    refusePrivateAddresses: false,
    ...overrides,
  });
}

describe("signing", () => {
  it("issues whsec_ secrets of 24 random bytes", () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(isWebhookSecret(secret)).toBe(true);
    expect(generateWebhookSecret()).not.toBe(secret);
    expect(isWebhookSecret("whsec_short")).toBe(false);
  });

  it("produces headers the library's verifier accepts, and only with the right secret", () => {
    const secret = generateWebhookSecret();
    const headers = signWebhook(secret, "evt_9", new Date(), payload);
    expect(headers["webhook-signature"]).toMatch(/^v1,/);
    expect(new Webhook(secret).verify(payload, { ...headers })).toEqual(JSON.parse(payload));
    expect(() => new Webhook(generateWebhookSecret()).verify(payload, { ...headers })).toThrow();
    expect(() => new Webhook(secret).verify(`${payload} `, { ...headers })).toThrow();
  });
});

describe("a delivery attempt", () => {
  it("is signed, verified by the receiver, and counts a 2xx as delivered", async () => {
    const secret = generateWebhookSecret();
    receiver.secret = secret;
    const result = await attempt(secret);
    expect(result).toMatchObject({ outcome: "delivered", status: 204, error: null });
    const [hook] = await receiver.waitFor(1);
    expect(hook?.verifyError).toBeNull();
    expect(hook?.verified).toEqual({
      type: "dns.status_changed",
      timestamp: "2026-12-02T00:00:00.000Z",
      data: { chatbotId: 7, from: "Verifying", to: "Verified" },
    });
    expect(hook?.headers).toMatchObject({ "webhook-id": "evt_1", "content-type": "application/json" });
  });

  it("asks to disable the endpoint on 410 Gone", async () => {
    receiver.respond = () => 410;
    expect(await attempt(generateWebhookSecret())).toMatchObject({ outcome: "disable", status: 410 });
  });

  it("retries other 4xx and 5xx answers and redirects", async () => {
    for (const status of [400, 401, 404, 429, 500, 503, 301, 307]) {
      receiver.respond = () => status;
      const result = await attempt(generateWebhookSecret());
      expect(result, String(status)).toMatchObject({ outcome: "retry", status });
      expect(result.error).toContain(String(status));
    }
  });

  it("retries when the receiver does not answer in time", async () => {
    receiver.respond = () => new Promise((resolve) => setTimeout(() => resolve(204), 3_000));
    const result = await attempt(generateWebhookSecret(), { timeoutMs: 200 });
    expect(result).toMatchObject({ outcome: "retry", status: null, error: "no answer within 200 ms" });
  });

  it("retries when nothing listens", async () => {
    const port = await freePort();
    const result = await attempt(generateWebhookSecret(), { url: `http://127.0.0.1:${port}/hook` });
    expect(result).toMatchObject({
      outcome: "retry",
      status: null,
      error: "connection failed (ECONNREFUSED)",
    });
  });

  it("refuses a host resolving to a private address when asked to, without sending", async () => {
    const url = receiver.url.replace("127.0.0.1", "localhost");
    const result = await attempt(generateWebhookSecret(), { url, refusePrivateAddresses: true });
    expect(result.outcome).toBe("retry");
    expect(result.error).toMatch(/^refused: localhost resolves to a private address/);
    expect(receiver.received).toHaveLength(0);
  });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
