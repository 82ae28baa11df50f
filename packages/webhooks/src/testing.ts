// A real webhook receiver for tests: an HTTP server on loopback that verifies every request
// with the `standardwebhooks` library's own Webhook#verify, as a customer's receiver would.
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { Webhook } from "standardwebhooks";

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  /** The payload Webhook#verify answered, or null when verification failed. */
  verified: unknown;
  verifyError: string | null;
  receivedAt: Date;
}

export interface Receiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  received: ReceivedWebhook[];
  /** The secret to verify with; set it once the endpoint's secret is known. */
  secret: string | null;
  /** What the nth request (0-based) is answered with; default 204. */
  respond: (index: number) => number | Promise<number>;
  /** Polls until `count` requests arrived (generous deadline: loaded machines). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: "",
    received: [],
    secret: null,
    respond: () => 204,
    waitFor: async (count, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (receiver.received.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} webhooks, received ${receiver.received.length}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return receiver.received.slice(0, count);
    },
    close: async () => {},
  };
  const app = new Hono().post("/hook", async (c) => {
    const body = await c.req.text();
    const headers: Record<string, string> = {};
    c.req.raw.headers.forEach((value, key) => {
      headers[key] = value;
    });
    let verified: unknown = null;
    let verifyError: string | null = null;
    try {
      if (receiver.secret === null) throw new Error("the receiver has no secret yet");
      verified = new Webhook(receiver.secret).verify(body, headers);
    } catch (error) {
      verifyError = error instanceof Error ? error.message : String(error);
    }
    const index = receiver.received.length;
    receiver.received.push({ headers, body, verified, verifyError, receivedAt: new Date() });
    const status = await receiver.respond(index);
    return c.body(null, status as 204);
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) => {
      receiver.url = `http://127.0.0.1:${info.port}/hook`;
      resolve(s);
    });
  });
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
  return receiver;
}
