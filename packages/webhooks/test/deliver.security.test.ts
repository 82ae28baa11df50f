// DNS rebinding against webhook deliveries: the endpoint's name answers a public address to
// the check before the attempt and loopback when the POST connects. The connect-time guard
// (@botgate/egress) refuses; the receiver on loopback never sees a request.
import type { LookupFunction } from "node:net";
import { lookupThrough } from "@botgate/egress/testing";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliverWebhook } from "../src/deliver.ts";
import { generateWebhookSecret } from "../src/signing.ts";
import { type Receiver, startReceiver } from "../src/testing.ts";

let receiver: Receiver;
let dns: TestDnsServer;
beforeAll(async () => {
  receiver = await startReceiver();
  dns = await startTestDnsServer();
});
afterAll(async () => {
  await receiver?.close();
  await dns?.close();
});

const NAME = "hooks.rebind.example";

/** Resolves through the test DNS server, which answers loopback from the second lookup on. */
function rebindingLookup(): LookupFunction {
  const through = lookupThrough([dns.address]);
  let lookups = 0;
  return (hostname, options, callback) =>
    through(hostname, options, (...answer) => {
      if (++lookups === 1) dns.set(NAME, { records: { A: ["127.0.0.1"] } });
      callback(...answer);
    });
}

const attempt = (lookup: LookupFunction, refusePrivateAddresses: boolean) =>
  deliverWebhook({
    // http on purpose: over https the loopback receiver could never answer anyway.
    url: receiver.url.replace("127.0.0.1", NAME),
    secret: generateWebhookSecret(),
    messageId: "evt_rebind",
    payload: "{}",
    timeoutMs: 10_000,
    refusePrivateAddresses,
    lookup,
  });

describe("a webhook endpoint whose name rebinds to loopback", () => {
  it("passes the early check but is refused when connecting, outside development", async () => {
    dns.set(NAME, { records: { A: ["93.184.215.14"] } });
    const result = await attempt(rebindingLookup(), true);
    expect(result).toMatchObject({ outcome: "retry", status: null });
    expect(result.error).toBe(`refused: ${NAME} resolves to a private address (127.0.0.1)`);
    expect(receiver.received).toHaveLength(0);
  });

  it("is delivered in development (the same name and resolver reach the receiver)", async () => {
    dns.set(NAME, { records: { A: ["127.0.0.1"] } });
    const result = await attempt(lookupThrough([dns.address]), false);
    expect(result).toMatchObject({ outcome: "delivered", status: 204 });
    expect(receiver.received).toHaveLength(1);
  });
});
