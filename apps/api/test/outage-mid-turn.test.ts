// The database goes away in the moment between the provider's answer and storing the turn: the
// client hears our 503 (UNAVAILABLE, retry later), never a 200 for a turn that is not kept nor
// the provider's failure, plainly and streamed; and once the database is back, turns are kept
// again. A real Postgres server (embedded PGlite behind pglite-socket, as database-outage.test.ts)
// is stopped by the provider itself, just before it answers.
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedPostgres, migrate, startEmbeddedPostgres } from "@botgate/db";
import type { TestDatabase } from "@botgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let dataDir: string;
let port = 0;
let postgres: EmbeddedPostgres | null = null;
let provider: Server;
let server: TestServer;
let admin: TestUser;
let hashedId: string;
/** The provider stops the database before its next answer. */
let stopDatabaseOnNextCall = false;

async function startPostgres(): Promise<void> {
  postgres = await startEmbeddedPostgres({ dataDir, port });
}

async function stopPostgres(): Promise<void> {
  await postgres?.close();
  postgres = null;
}

const envelope = { id: "chatcmpl-outage", created: 1, model: "gpt-test" };

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), "botgate-mid-turn-")), "pglite");
  await startPostgres();
  port = Number(new URL(postgres!.url).port);
  await migrate(postgres!.url);
  provider = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => {
      body += part;
    });
    req.on("end", async () => {
      if (stopDatabaseOnNextCall) {
        stopDatabaseOnNextCall = false;
        await stopPostgres();
      }
      const message = { role: "assistant", content: "answered" };
      if ((JSON.parse(body) as { stream?: boolean }).stream !== true) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ...envelope,
            object: "chat.completion",
            choices: [{ index: 0, message, finish_reason: "stop" }],
          }),
        );
        return;
      }
      const chunk = (delta: object, finish: string | null) =>
        `data: ${JSON.stringify({ ...envelope, object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(`${chunk(message, null)}${chunk({}, "stop")}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  const database: TestDatabase = {
    url: postgres!.url,
    kind: "embedded",
    maxConnections: postgres!.maxConnections,
    close: stopPostgres,
  };
  server = await startTestServer({
    database,
    env: {
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`,
    },
  });
  admin = await createAccount(server);
  ({ hashedId } = await admin.client.chatbot.create.mutate({
    name: "midturn",
    provider: "openai",
    defaultModel: "gpt-test",
  }));
}, 120_000);

afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => provider?.close(resolve));
  await stopPostgres();
  if (dataDir) await rm(join(dataDir, ".."), { recursive: true, force: true });
});

const chat = (stream: boolean) =>
  fetch(`${server.url}/api/v1/chatbots/${hashedId}/chat/`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ stream, messages: [{ role: "user", content: "keep this" }] }),
  });

/** Far above a loaded machine's reconnection after a restart (as database-outage.test.ts waits). */
const RECOVERY_MS = 60_000;

/** A turn that must be kept once the database is back (the pool may take a moment to reconnect). */
async function keptOnceBack(stream: boolean): Promise<void> {
  const deadline = Date.now() + RECOVERY_MS;
  for (;;) {
    const response = await chat(stream);
    const text = await response.text();
    if (response.status === 200 && !text.includes('"error"')) {
      expect(text).toContain("answered");
      return;
    }
    if (Date.now() > deadline) throw new Error(`not served after the restart: ${response.status} ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("the database going away after the provider answered", () => {
  it("is a 503 UNAVAILABLE for a plain turn, and turns are kept once it is back", {
    timeout: 2 * RECOVERY_MS,
  }, async () => {
    stopDatabaseOnNextCall = true;
    const response = await chat(false);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(JSON.stringify(body)).not.toMatch(/answered|127\.0\.0\.1|Prisma/);
    await startPostgres();
    await keptOnceBack(false);
  });

  it("ends a streamed turn with an UNAVAILABLE error event and no [DONE], and turns are kept once it is back", {
    timeout: 2 * RECOVERY_MS,
  }, async () => {
    stopDatabaseOnNextCall = true;
    const response = await chat(true);
    // The provider's answer started the stream; storing it failed after the first byte.
    expect(response.status).toBe(200);
    const events = (await response.text()).split("\n\n").filter((e) => e !== "" && !e.startsWith(":"));
    expect(events).not.toContain("data: [DONE]");
    const last = JSON.parse((events.at(-1) ?? "").replace(/^data: /, "")) as { error: { code: string } };
    expect(last.error.code).toBe("UNAVAILABLE");
    expect(events.some((e) => e.startsWith("event: envelope"))).toBe(false);
    await startPostgres();
    await keptOnceBack(true);
  });
});
