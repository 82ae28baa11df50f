// The admin API's bounds, seen from a client: a batch holds at most MAX_BATCH_SIZE calls, a
// body at most MAX_BODY_BYTES (both refused in tRPC's error shape, whether the body declares
// its length or arrives chunked), and a batch authenticates once however many protected
// calls it carries.
import type { AddressInfo } from "node:net";
import type { AppRouter } from "@botgate/api";
import type { DatabaseClient } from "@botgate/db";
import { serve } from "@hono/node-server";
import { createTRPCClient, httpBatchLink, TRPCClientError } from "@trpc/client";
import superjson from "superjson";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { MAX_BATCH_SIZE, MAX_BODY_BYTES } from "../src/routes/trpc.ts";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let server: TestServer;
let owner: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  owner = await createAccount(server, "limits");
});
afterAll(async () => {
  await server?.close();
});

/** One HTTP request carrying `size` calls of account.me, as httpBatchLink sends them. */
function batchPath(size: number) {
  const paths = Array.from({ length: size }, () => "account.me").join(",");
  return `/trpc/${paths}?batch=1&input=${encodeURIComponent("{}")}`;
}

interface TRPCErrorBody {
  error: { json: { message: string; data: { code: string; httpStatus: number } } };
}

function batchClient(url: string, token: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${url}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${token}` },
        // Everything called in one tick travels in one request.
        maxItems: 1_000,
      }),
    ],
  });
}

describe("batch size", () => {
  it(`serves a batch of ${MAX_BATCH_SIZE} calls`, async () => {
    const response = await fetch(`${server.url}${batchPath(MAX_BATCH_SIZE)}`, {
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(response.status).toBe(200);
    expect((await response.json()) as unknown[]).toHaveLength(MAX_BATCH_SIZE);
  });

  it("refuses a larger batch with BAD_REQUEST in tRPC's error shape, before authenticating", async () => {
    for (const authorization of [`Bearer ${owner.token}`, ""]) {
      const response = await fetch(`${server.url}${batchPath(MAX_BATCH_SIZE + 1)}`, {
        headers: { authorization },
      });
      expect(response.status).toBe(400);
      // Refused as a whole, before any call: one error, not one per call.
      const body = (await response.json()) as TRPCErrorBody;
      expect(body.error.json).toMatchObject({
        message: "Batch call exceeds maximum size",
        data: { code: "BAD_REQUEST", httpStatus: 400 },
      });
    }
  });

  it("reaches a typed client as a BAD_REQUEST TRPCClientError", async () => {
    const client = batchClient(server.url, owner.token);
    const calls = Array.from({ length: 50 }, () => client.account.me.query());
    const outcomes = await Promise.allSettled(calls);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      const error = (outcome as PromiseRejectedResult).reason as TRPCClientError<AppRouter>;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(error.data?.code).toBe("BAD_REQUEST");
    }
  });
});

describe("body size", () => {
  const oversized = () => JSON.stringify({ json: { name: "x", description: "y".repeat(MAX_BODY_BYTES) } });

  async function expectTooLarge(response: Response) {
    expect(response.status).toBe(413);
    expect(response.headers.get("content-type")).toMatch(/application\/json/);
    const body = (await response.json()) as TRPCErrorBody;
    expect(body.error.json).toMatchObject({ data: { code: "PAYLOAD_TOO_LARGE", httpStatus: 413 } });
    expect(body.error.json.message).toContain(String(MAX_BODY_BYTES));
  }

  it("refuses a body over the limit that declares its length (413)", async () => {
    await expectTooLarge(
      await fetch(`${server.url}/trpc/chatbot.create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
        body: oversized(),
      }),
    );
  });

  it("refuses a chunked body once it passes the limit (413)", async () => {
    const bytes = new TextEncoder().encode(oversized());
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 64 * 1024)
          controller.enqueue(bytes.slice(at, at + 64 * 1024));
        controller.close();
      },
    });
    await expectTooLarge(
      await fetch(`${server.url}/trpc/chatbot.create`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
        body: chunked,
        duplex: "half",
      } as RequestInit),
    );
  });

  it("reaches a typed client as PAYLOAD_TOO_LARGE, and creates nothing", async () => {
    const client = batchClient(server.url, owner.token);
    const error = await client.chatbot.create
      .mutate({ name: "huge", description: "z".repeat(MAX_BODY_BYTES) })
      .catch((e: unknown) => e as TRPCClientError<AppRouter>);
    expect(error).toBeInstanceOf(TRPCClientError);
    expect((error as TRPCClientError<AppRouter>).data?.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await server.runtime.db.chatBot.count({ where: { accountId: owner.accountId } })).toBe(0);
  });

  it("still serves a body under the limit", async () => {
    const client = batchClient(server.url, owner.token);
    const bot = await client.chatbot.create.mutate({ name: "roomy", description: "d".repeat(10_000) });
    expect(bot.description).toHaveLength(10_000);
  });
});

describe("authentication per batch", () => {
  /** The same app over a database client that counts admin token lookups. */
  async function countingServer() {
    let lookups = 0;
    const db = server.runtime.db.$extends({
      query: {
        adminToken: {
          findUnique({ args, query }) {
            lookups++;
            return query(args);
          },
        },
      },
    }) as unknown as DatabaseClient;
    const app = createApp({ ...server.runtime, db });
    const http = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
    });
    const { port } = http.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      lookups: () => lookups,
      close: () => new Promise<void>((resolve) => http.close(() => resolve())),
    };
  }

  it("looks the token up once for a batch of many protected calls", async () => {
    const counting = await countingServer();
    try {
      const client = batchClient(counting.url, owner.token);
      const results = await Promise.all([
        ...Array.from({ length: 10 }, () => client.account.me.query()),
        ...Array.from({ length: 5 }, () => client.chatbot.list.query()),
      ]);
      expect(results).toHaveLength(15);
      expect(counting.lookups()).toBe(1);

      // A single call costs one lookup too, and each request authenticates afresh.
      await client.account.me.query();
      expect(counting.lookups()).toBe(2);
    } finally {
      await counting.close();
    }
  });

  it("answers every call of a batch UNAUTHORIZED from one failed lookup", async () => {
    const counting = await countingServer();
    try {
      const client = batchClient(counting.url, "bga_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      const outcomes = await Promise.allSettled(Array.from({ length: 8 }, () => client.account.me.query()));
      for (const outcome of outcomes) {
        const error = (outcome as PromiseRejectedResult).reason as TRPCClientError<AppRouter>;
        expect(error.data?.code).toBe("UNAUTHORIZED");
      }
      expect(counting.lookups()).toBe(1);
    } finally {
      await counting.close();
    }
  });
});
