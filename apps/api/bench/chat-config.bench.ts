// The chat origin's /config/ for a long session: latency, response size and SQL statements
// for a session of 1 000 turns, against a fresh session (one turn) in the same run, and against
// a session just long enough to fill one page (the same answer, so only the session's length
// differs), all read over HTTP from the real app with an account token. Plus what one chat/
// call stores when it sends a long conversation, against one that sends a single message.
import type { AddressInfo } from "node:net";
import { bootstrapAccount, secretBoxFor } from "@botgate/api";
import { MemoryDomainSetStore, MemoryNonceStore, MemoryRouteStore } from "@botgate/cache";
import { platformConfig } from "@botgate/core";
import { createDatabaseClient, type DatabaseClient } from "@botgate/db";
import { createTestDatabase } from "@botgate/db/testing";
import { serve } from "@hono/node-server";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { createApp } from "../src/app.ts";
import { parseEnv } from "../src/env.ts";
import { openJobsOf } from "../src/jobs.ts";
import { createProvisioning, type Runtime } from "../src/runtime.ts";

const TURNS = 1_000;
const CALLS = 200;
const WARMUP = 30;
/** A typical exchange: a short question and a longer answer. */
const QUESTION = "How do I rotate the API key of my chatbot without downtime? ".repeat(5);
const ANSWER = "Create a second key, move your clients to it, then revoke the first one. ".repeat(16);
const LONG_CONVERSATION = 100;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface ConfigAnswer {
  data: { history: { chat_history: unknown[]; next_cursor: string | null } };
}

export async function run(): Promise<BenchSection[]> {
  const database = await createTestDatabase();
  let queries = 0;
  const db = createDatabaseClient(database.url, {
    maxConnections: database.maxConnections,
    onQuery: () => {
      queries++;
    },
  });
  const env = parseEnv({ ENVIRONMENT: "local", PLATFORM_ROOT_DOMAIN: "botgate.localhost" });
  const config = platformConfig({ environment: env.ENVIRONMENT, rootDomain: env.PLATFORM_ROOT_DOMAIN });
  const provisioning = await createProvisioning(env, config);
  const runtime: Runtime = {
    env,
    config,
    db,
    databaseUrl: database.url,
    databaseKind: database.kind,
    routes: new MemoryRouteStore(),
    routeCache: { kind: "memory", url: null, token: null },
    edgeSecret: "bench-edge-secret-that-nobody-signs-with",
    forwardNonces: new MemoryNonceStore(),
    rateLimitRedis: null,
    provisioning,
    localDns: null,
    secrets: secretBoxFor(undefined),
    verifiedDomains: new MemoryDomainSetStore(),
    jobs: await openJobsOf(env, db, false),
    worker: null,
    close: async () => {},
  };
  const app = createApp(runtime);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  try {
    const account = await bootstrapAccount(db, { username: "bench", companyName: "Bench" });
    const chatbot = await db.chatBot.create({
      data: {
        name: "benchchat",
        provider: "echo",
        userProfileId: account.userProfileId,
        accountId: account.accountId,
      },
    });
    const { port } = server.address() as AddressInfo;
    const base = `http://127.0.0.1:${port}/api/v1/chatbots/${chatbot.id}`;
    const headers = { authorization: `Bearer ${account.token}`, "content-type": "application/json" };
    const chat = async (messages: { role: string; content: string }[], sessionKey?: string) => {
      const response = await fetch(`${base}/chat/`, {
        method: "POST",
        headers,
        body: JSON.stringify({ session_key: sessionKey, messages }),
      });
      if (response.status !== 200) throw new Error(`chat/ answered ${response.status}`);
      return ((await response.json()) as { data: { body: { metadata: { session_key: string } } } }).data.body
        .metadata.session_key;
    };
    const getConfig = async (sessionKey: string) => {
      const response = await fetch(`${base}/config/?session_key=${sessionKey}`, { headers });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`config/ answered ${response.status}: ${text}`);
      return { bytes: Buffer.byteLength(text), answer: JSON.parse(text) as ConfigAnswer };
    };

    const pageSize = env.CHAT_HISTORY_PAGE_SIZE;
    const sessions = {
      fresh: await chat([{ role: "user", content: QUESTION }]),
      // pageSize turns: a full page of messages and of request log entries, with a next page.
      page: await seedSession(db, chatbot.id, pageSize),
      long: await seedSession(db, chatbot.id, TURNS),
    };
    const { fresh, long } = sessions;
    // Current statistics, as autovacuum keeps them in production: without them the planner
    // guesses a few rows per session and reads a long session whole (bitmap scan and sort)
    // instead of its newest page from the (chatId, id) and (sessionKey, id) indexes.
    await db.$executeRawUnsafe('ANALYZE "Chat", "ChatHistory", "ChatBotRequests"');

    const samples = { fresh: [] as number[], page: [] as number[], long: [] as number[] };
    for (let i = 0; i < WARMUP + CALLS; i++) {
      // Interleaved, so every session sees the same machine load.
      for (const which of ["fresh", "page", "long"] as const) {
        const started = performance.now();
        await getConfig(sessions[which]);
        if (i >= WARMUP) samples[which].push(performance.now() - started);
      }
    }
    const measure = async (sessionKey: string) => {
      queries = 0;
      const answer = await getConfig(sessionKey);
      return { ...answer, queries };
    };
    const freshConfig = await measure(fresh);
    const longConfig = await measure(long);

    let pages = 1;
    for (let cursor = longConfig.answer.data.history.next_cursor; cursor !== null; pages++) {
      const response = await fetch(`${base}/config/?session_key=${long}&history_cursor=${cursor}`, {
        headers,
      });
      cursor = ((await response.json()) as ConfigAnswer).data.history.next_cursor;
    }

    const question = { role: "user", content: QUESTION };
    const conversation = Array.from({ length: LONG_CONVERSATION - 1 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: i % 2 === 0 ? QUESTION : ANSWER,
    }));
    const stored = async (messages: { role: string; content: string }[]) => {
      const before = await storedBytes(db, chatbot.id);
      await chat(messages);
      return (await storedBytes(db, chatbot.id)) - before;
    };
    const storedShort = await stored([question]);
    const storedLong = await stored([...conversation, question]);
    const longBody = Buffer.byteLength(JSON.stringify({ messages: [...conversation, question] }));

    const longP50 = percentile(samples.long, 50);
    const pageP50 = percentile(samples.page, 50);
    const lengthRow: BenchRow = {
      name: `config/ p50, session of ${TURNS} turns against one of ${pageSize} (the same full page)`,
      value: longP50,
      unit: "ms",
      baseline: pageP50,
      ratio: longP50 / pageP50,
      goal: "≤ 1.2× (the session's length costs nothing)",
      met: longP50 / pageP50 <= 1.2,
    };
    const latencyRow = (p: number, goal?: number): BenchRow => {
      const value = percentile(samples.long, p);
      const baseline = percentile(samples.fresh, p);
      return {
        name: `config/ p${p}, session of ${TURNS} turns`,
        value,
        unit: "ms",
        baseline,
        ratio: value / baseline,
        ...(goal === undefined
          ? {}
          : { goal: `≤ ${goal}× the fresh session`, met: value / baseline <= goal }),
      };
    };
    const shown = longConfig.answer.data.history.chat_history.length;
    return [
      {
        title: `Chat origin: config/ of a ${TURNS}-turn session over HTTP`,
        baseline: "the same call for a fresh session (one turn), interleaved in the same run",
        rows: [
          latencyRow(50, 1.5),
          latencyRow(99),
          lengthRow,
          {
            name: `config/ response size, session of ${TURNS} turns`,
            value: longConfig.bytes,
            unit: "bytes",
            baseline: freshConfig.bytes,
            ratio: longConfig.bytes / freshConfig.bytes,
            goal: `one page: ${pageSize} of ${2 * TURNS} messages, with next_cursor`,
            met: shown === pageSize && longConfig.answer.data.history.next_cursor !== null,
          },
          {
            name: "SQL statements per config/ call",
            value: longConfig.queries,
            unit: "statements",
            baseline: freshConfig.queries,
            ratio: longConfig.queries / freshConfig.queries,
            goal: "= fresh session",
            met: longConfig.queries === freshConfig.queries,
          },
          {
            name: `config/ pages to walk the ${TURNS}-turn session`,
            value: pages,
            unit: "pages",
            goal: `= ${2 * TURNS} / ${pageSize}`,
            met: pages === Math.ceil((2 * TURNS) / pageSize),
          },
          {
            name: `bytes stored by one chat/ call sending ${LONG_CONVERSATION} messages (${longBody} bytes)`,
            value: storedLong,
            unit: "bytes",
            baseline: storedShort,
            ratio: storedLong / storedShort,
            goal: "≤ 1.1× a call sending one message",
            met: storedLong / storedShort <= 1.1,
          },
        ],
        notes: [
          `${CALLS} calls per session after ${WARMUP} warm-up calls each, interleaved; default limits (history page of ${pageSize} messages).`,
          `Against the fresh session the ${TURNS}-turn one also answers ten times the data (a full page of messages and request log entries, against one turn); against the ${pageSize}-turn session the answer is the same size, so that row isolates the session's length.`,
          `The ${TURNS}-turn session (${2 * TURNS} messages, ${TURNS} request log entries) is written straight to the database: the default cap (CHAT_MAX_TURNS_PER_SESSION=${env.CHAT_MAX_TURNS_PER_SESSION}) would prune one built through chat/. The tables are analyzed once seeded, as autovacuum keeps them in production: with no statistics the planner reads a long session whole to sort out its newest page (about 2 ms more at ${TURNS} turns here).`,
          "Stored bytes: message contents in ChatHistory plus the request log entry's JSON text.",
          `Database: ${database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}; the app served by @hono/node-server, called with fetch.`,
        ],
      },
    ];
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await runtime.jobs.close();
    await provisioning.close();
    await db.$disconnect();
    await database.close();
  }
}

async function seedSession(db: DatabaseClient, chatbotId: number, turns: number): Promise<string> {
  // 64 hex digits, one session per length.
  const sessionKey = turns.toString(16).padStart(64, "b");
  const chat = await db.chat.create({ data: { sessionKey, chatbotId } });
  await db.chatHistory.createMany({
    data: Array.from({ length: turns }, (_, i) => [
      { chatId: chat.id, role: "user", content: `${i} ${QUESTION}` },
      { chatId: chat.id, role: "assistant", content: `${i} ${ANSWER}` },
    ]).flat(),
  });
  await db.chatBotRequests.createMany({
    data: Array.from({ length: turns }, (_, i) => ({
      chatbotId,
      sessionKey,
      request: {
        command: "chat",
        mode: "default",
        request_id: crypto.randomUUID(),
        provider: "echo",
        model: "echo",
        temperature: null,
        max_tokens: null,
        message_count: 2 * i + 1,
        stream: false,
        usage: { prompt_tokens: 200, completion_tokens: 200, total_tokens: 400 },
        latency_ms: 1,
        finish_reason: "stop",
      },
    })),
  });
  return sessionKey;
}

async function storedBytes(db: DatabaseClient, chatbotId: number): Promise<number> {
  const [row] = await db.$queryRaw<{ bytes: bigint }[]>`
    SELECT
      (SELECT coalesce(sum(octet_length(h."content")), 0) FROM "ChatHistory" h
         JOIN "Chat" c ON c."id" = h."chatId" WHERE c."chatbotId" = ${chatbotId})
    + (SELECT coalesce(sum(octet_length(r."request"::text)), 0) FROM "ChatBotRequests" r
         WHERE r."chatbotId" = ${chatbotId}) AS bytes`;
  return Number(row?.bytes ?? 0);
}
