// A database outage under traffic: a real Postgres server (embedded PGlite behind pglite-socket,
// persisted to a temp folder, so stopping it closes every connection like a server shutdown)
// is stopped and started again while requests keep coming. Never the machine's shared
// PostgreSQL: other test files use it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type EmbeddedPostgres, migrate, startEmbeddedPostgres } from "@botgate/db";
import type { TestDatabase } from "@botgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, resolveAsEdge, startTestServer, type TestServer, type TestUser } from "./harness.ts";

/** Far above a loaded machine's worst case for a refused connection, far below a client's patience. */
const ANSWER_WITHIN_MS = 5_000;

let dataDir: string;
let port: number;
let postgres: EmbeddedPostgres | null = null;
let server: TestServer;
let admin: TestUser;
let chatbotId: number;

async function startPostgres(): Promise<void> {
  postgres = await startEmbeddedPostgres({ dataDir, port });
}

async function stopPostgres(): Promise<void> {
  await postgres?.close();
  postgres = null;
}

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), "botgate-outage-")), "pglite");
  port = 0;
  await startPostgres();
  port = Number(new URL(postgres!.url).port);
  await migrate(postgres!.url);
  const database: TestDatabase = {
    url: postgres!.url,
    kind: "embedded",
    maxConnections: postgres!.maxConnections,
    close: stopPostgres,
  };
  server = await startTestServer({ database });
  admin = await createAccount(server);
  chatbotId = (await admin.client.chatbot.create.mutate({ name: "outage" })).id;
  await admin.client.chatbot.deploy.mutate({ id: chatbotId });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await stopPostgres();
  if (dataDir) await rm(join(dataDir, ".."), { recursive: true, force: true });
});

interface Answer {
  kind: string;
  phase: Phase;
  status: number;
  ms: number;
  contentType: string | null;
  retryAfter: string | null;
  body: string;
}

/** "stopping" and "starting": the server is changing state; a request then may meet either. */
type Phase = "up" | "stopping" | "down" | "starting" | "restarted";

/** Every kind of request the API serves, each reading the database. */
const probes: Record<string, () => Promise<Response>> = {
  health: () => fetch(`${server.url}/health`),
  trpcQuery: () =>
    fetch(
      `${server.url}/trpc/chatbot.get?input=${encodeURIComponent(JSON.stringify({ json: { id: chatbotId } }))}`,
      {
        headers: { authorization: `Bearer ${admin.token}` },
      },
    ),
  trpcMutation: () =>
    fetch(`${server.url}/trpc/chatbot.create`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      // An invalid name: answered only after authentication, which needs the database.
      body: JSON.stringify({ json: { name: "-" } }),
    }),
  originConfig: () =>
    fetch(`${server.url}/api/v1/chatbots/${chatbotId}/config/`, {
      headers: { authorization: `Bearer ${admin.token}` },
    }),
  resolve: () => resolveAsEdge(server, `id:${chatbotId}`),
};
/** What each probe answers while the database is up (the mutation's input is refused on purpose). */
const HEALTHY_STATUS: Record<string, number> = {
  health: 200,
  trpcQuery: 200,
  trpcMutation: 400,
  originConfig: 200,
  resolve: 200,
};

const answers: Answer[] = [];
let phase: Phase = "up";
let running = true;

async function probeLoop(kind: string, probe: () => Promise<Response>): Promise<void> {
  while (running) {
    const sentIn = phase;
    const started = performance.now();
    const response = await probe();
    const body = await response.text();
    answers.push({
      kind,
      // A request that straddles a change of state may meet either state.
      phase: sentIn === phase ? phase : "stopping",
      status: response.status,
      ms: performance.now() - started,
      contentType: response.headers.get("content-type"),
      retryAfter: response.headers.get("retry-after"),
      body,
    });
  }
}

async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const seen = (p: Phase, status: (kind: string) => number, count: number) => () =>
  Object.keys(probes).every(
    (kind) =>
      answers.filter((a) => a.kind === kind && a.phase === p && a.status === status(kind)).length >= count,
  );

describe("a database outage under traffic", () => {
  it("answers 503 JSON with Retry-After quickly while the database is down, and recovers fully", async () => {
    const loops = Object.entries(probes).flatMap(([kind, probe]) => [
      probeLoop(kind, probe),
      probeLoop(kind, probe),
    ]);
    try {
      await until(
        seen("up", (kind) => HEALTHY_STATUS[kind]!, 3),
        "every request is served",
      );
      phase = "stopping";
      await stopPostgres();
      phase = "down";
      await until(
        seen("down", () => 503, 10),
        "every kind of request answered 503 several times",
      );
      phase = "starting";
      await startPostgres();
      phase = "restarted";
      await until(
        seen("restarted", (kind) => HEALTHY_STATUS[kind]!, 5),
        "every request is served again",
      );
    } finally {
      running = false;
      await Promise.all(loops);
    }

    for (const answer of answers) {
      const label = `${answer.kind} (${answer.phase}) answered ${answer.status}: ${answer.body.slice(0, 200)}`;
      expect(answer.ms, label).toBeLessThan(ANSWER_WITHIN_MS);
      expect(answer.contentType, label).toMatch(/^application\/json/);
      const healthy = HEALTHY_STATUS[answer.kind];
      if (answer.phase === "up") expect(answer.status, label).toBe(healthy);
      else if (answer.phase === "down") expect(answer.status, label).toBe(503);
      else expect([healthy, 503], label).toContain(answer.status);
      if (answer.status !== 503) continue;
      expect(answer.retryAfter, label).toBe("5");
      // Nothing about the database server (host, port, driver message) reaches the caller.
      expect(answer.body, label).not.toMatch(/127\.0\.0\.1|reach|terminated|Prisma|P10\d\d/i);
    }

    const codes = new Set(
      answers
        .filter((a) => a.phase === "down")
        .map((a) => {
          const body = JSON.parse(a.body) as {
            status?: string;
            database?: { error: string };
            // tRPC with superjson wraps its error shape in { json }.
            error?: { code?: string; json?: { data: { code: string } } };
          };
          const code =
            body.error?.json?.data.code ?? body.error?.code ?? `${body.status} ${body.database?.error}`;
          return `${a.kind}:${code}`;
        }),
    );
    expect([...codes].sort()).toEqual([
      "health:unavailable The database did not answer.",
      "originConfig:UNAVAILABLE",
      "resolve:UNAVAILABLE",
      "trpcMutation:SERVICE_UNAVAILABLE",
      "trpcQuery:SERVICE_UNAVAILABLE",
    ]);
    // After the restart the answers are the real ones again.
    const after = await probes.originConfig!();
    expect(after.status).toBe(200);
  });
});
