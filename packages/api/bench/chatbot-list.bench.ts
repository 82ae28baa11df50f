// chatbot.list at scale: 10 000 chatbots in one account, listed over HTTP through the real
// tRPC client. Latency is compared with account.me (a trivial authenticated call) measured in
// the same run; the SQL statements per call must not grow with the page size (no N+1).
import type { AddressInfo } from "node:net";
import { MemoryRouteStore } from "@botgate/cache";
import { platformConfig } from "@botgate/core";
import { createDatabaseClient } from "@botgate/db";
import { createTestDatabase } from "@botgate/db/testing";
import { createLocalProvisioning } from "@botgate/provisioning";
import { createTRPCClient, httpLink } from "@trpc/client";
import { createHTTPServer } from "@trpc/server/adapters/standalone";
import superjson from "superjson";
import type { BenchRow, BenchSection } from "../../../scripts/bench-types.ts";
import { type ApiServices, createContext } from "../src/context.ts";
import { type AppRouter, appRouter } from "../src/router.ts";
import { bootstrapAccount } from "../src/services/accounts.ts";
import { secretBoxFor } from "../src/services/secret-box.ts";

const CHATBOTS = 10_000;
const CALLS = 200;
const WARMUP = 30;
const PAGE_SIZES = [10, 50, 100] as const;

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

async function timeCalls(count: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await call(i);
    samples.push(performance.now() - started);
  }
  return samples;
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
  const config = platformConfig({ environment: "local", rootDomain: "botgate.localhost" });
  const provisioning = await createLocalProvisioning({
    rootDomain: config.rootDomain,
    platformDomain: config.apiDomain,
  });
  const services: ApiServices = {
    db,
    routes: new MemoryRouteStore(),
    config,
    provisioning,
    // Listing enqueues nothing (packages/api cannot depend on the queue package).
    jobs: {
      enqueue: async () => {
        throw new Error("the chatbot.list benchmark enqueues no jobs");
      },
    },
    secrets: secretBoxFor(undefined),
    logger: console,
  };
  const server = createHTTPServer({
    router: appRouter,
    createContext: ({ req }) => createContext(services, req.headers.authorization),
  });
  try {
    const account = await bootstrapAccount(db, { username: "bench", companyName: "Bench" });
    await seed(services, account.accountId, account.userProfileId);

    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `http://127.0.0.1:${port}`,
          transformer: superjson,
          headers: { authorization: `Bearer ${account.token}` },
        }),
      ],
    });
    const first = (await client.chatbot.list.query({ limit: 1 })).items[0]?.id ?? 0;
    // Pages from all over the table, not one cached page.
    const cursorFor = (i: number) => first + ((i * 7_919) % (CHATBOTS - 100));

    await timeCalls(WARMUP, () => client.account.me.query());
    await timeCalls(WARMUP, (i) => client.chatbot.list.query({ limit: 50, cursor: cursorFor(i) }));
    const me = await timeCalls(CALLS, () => client.account.me.query());
    const list = await timeCalls(CALLS, (i) =>
      client.chatbot.list.query({ limit: 50, cursor: cursorFor(i) }),
    );

    const countQueries = async (call: () => Promise<unknown>) => {
      queries = 0;
      await call();
      return queries;
    };
    const meQueries = await countQueries(() => client.account.me.query());
    const perPage: Record<number, number> = {};
    for (const limit of PAGE_SIZES) {
      perPage[limit] = await countQueries(async () => {
        const page = await client.chatbot.list.query({ limit, cursor: cursorFor(3) });
        if (page.items.length !== limit) throw new Error(`expected a full page of ${limit}`);
      });
    }

    const latencyRow = (p: number): BenchRow => {
      const value = percentile(list, p);
      const baseline = percentile(me, p);
      // No latency target was set: the ratio describes, the statement counts below decide.
      return {
        name: `chatbot.list p${p} (page of 50)`,
        value,
        unit: "ms",
        baseline,
        ratio: value / baseline,
      };
    };
    const baselineQueries = perPage[PAGE_SIZES[0]] ?? 0;
    return [
      {
        title: "Admin API: chatbot.list over HTTP (10 000 chatbots in one account)",
        baseline: `account.me (one authenticated call, ${meQueries} SQL statement(s)) in the same run; SQL counts compare with page size ${PAGE_SIZES[0]}`,
        rows: [
          latencyRow(50),
          latencyRow(99),
          ...PAGE_SIZES.map(
            (limit): BenchRow => ({
              name: `SQL statements per chatbot.list call, page of ${limit}`,
              value: perPage[limit] ?? 0,
              unit: "statements",
              baseline: baselineQueries,
              ratio: (perPage[limit] ?? 0) / baselineQueries,
              goal: `= page of ${PAGE_SIZES[0]} (no N+1)`,
              met: perPage[limit] === baselineQueries,
            }),
          ),
        ],
        notes: [
          `${CALLS} sequential calls each after ${WARMUP} warm-up calls; pages start at cursors spread over the table.`,
          `Database: ${database.kind === "postgres" ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite"}; tRPC's standalone HTTP server, httpLink + superjson client.`,
        ],
      },
    ];
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await provisioning.close();
    await db.$disconnect();
    await database.close();
  }
}

/** 10 000 chatbots with a tag each and a custom domain on every tenth: every join of a list page has rows. */
async function seed(services: ApiServices, accountId: number, userProfileId: number): Promise<void> {
  const { db } = services;
  const domain = await db.chatBotCustomDomain.create({
    data: {
      domainName: "bench.example.com",
      verificationToken: "bench",
      isVerified: true,
      userProfileId,
      accountId,
    },
  });
  const tag = await db.tag.create({ data: { name: "bench" } });
  for (let start = 0; start < CHATBOTS; start += 2_000) {
    await db.chatBot.createMany({
      data: Array.from({ length: Math.min(2_000, CHATBOTS - start) }, (_, i) => ({
        name: `bench${start + i}`,
        description: `Benchmark chatbot ${start + i}`,
        userProfileId,
        accountId,
        deployed: (start + i) % 3 === 0,
        appExamplePrompts: ["Hello?", "What can you do?"],
        annotations: { seq: start + i },
      })),
    });
  }
  await db.$executeRaw`INSERT INTO "_ChatBotToTag" ("A", "B") SELECT "id", ${tag.id} FROM "ChatBot" WHERE "accountId" = ${accountId}`;
  await db.$executeRaw`UPDATE "ChatBot" SET "customDomainId" = ${domain.id} WHERE "accountId" = ${accountId} AND "id" % 10 = 0`;
}
