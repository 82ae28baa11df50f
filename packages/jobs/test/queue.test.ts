// The queue itself, on the database the tests run against (PostgreSQL with DATABASE_URL, else
// the embedded one): transactional enqueue, one active job per key, retries with backoff.
import { createDatabaseClient, type DatabaseClient } from "@botgate/db";
import { createTestDatabase, type TestDatabase } from "@botgate/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Jobs, openJobs, type QueueDefinition, startWorker } from "../src/index.ts";
import { until } from "./until.ts";

const queue = (name: string, extra: Partial<QueueDefinition> = {}): QueueDefinition => ({
  name,
  policy: "standard",
  retryLimit: 0,
  retryDelay: 0,
  retryBackoff: false,
  expireInSeconds: 30,
  ...extra,
});

const QUEUES = [
  queue("t-plain"),
  queue("t-keyed", { policy: "singleton" }),
  queue("t-failing", { retryLimit: 3, retryDelay: 1, retryBackoff: true }),
];

let database: TestDatabase;
let db: DatabaseClient;
let jobs: Jobs;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
  jobs = await openJobs({ db, queues: QUEUES, supervise: true, maintenanceIntervalSeconds: 1 });
});

afterAll(async () => {
  await jobs?.close();
  await db?.$disconnect();
  await database?.close();
});

async function jobRows(name: string) {
  return db.$queryRawUnsafe<{ state: string; data: Record<string, unknown> }[]>(
    `SELECT state, data FROM pgboss.job WHERE name = $1 ORDER BY created_on`,
    name,
  );
}

describe("the job queue", () => {
  it("lives in its own schema, beside Prisma's tables", async () => {
    const tables = await db.$queryRawUnsafe<{ table_schema: string }[]>(
      `SELECT DISTINCT table_schema FROM information_schema.tables WHERE table_name = 'job'`,
    );
    expect(tables.map((t) => t.table_schema)).toEqual(["pgboss"]);
  });

  it("commits a job with the transaction that enqueued it, and drops it when that rolls back", async () => {
    await db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT 1`;
      await jobs.enqueue(tx, { name: "t-plain", data: { n: 1 } });
    });
    await expect(
      db.$transaction(async (tx) => {
        await jobs.enqueue(tx, { name: "t-plain", data: { n: 2 } });
        throw new Error("the state change failed");
      }),
    ).rejects.toThrow("the state change failed");
    expect((await jobRows("t-plain")).map((row) => row.data)).toEqual([{ n: 1 }]);
  });

  it("refuses a job for a queue it does not know", async () => {
    await expect(db.$transaction((tx) => jobs.enqueue(tx, { name: "nowhere", data: {} }))).rejects.toThrow(
      "no queue named nowhere",
    );
  });

  it("never runs two jobs with the same key at once, even with several polling loops", async () => {
    const running = new Map<string, number>();
    let maxSameKey = 0;
    const done: string[] = [];
    const worker = await startWorker(
      jobs,
      {
        "t-keyed": async (job) => {
          const key = String(job.data.key);
          running.set(key, (running.get(key) ?? 0) + 1);
          maxSameKey = Math.max(maxSameKey, running.get(key) ?? 0);
          // Long enough for the other polling loops to try the same key meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 700));
          running.set(key, (running.get(key) ?? 1) - 1);
          done.push(`${key}:${String(job.data.n)}`);
        },
      },
      { pollingIntervalSeconds: 0.5, concurrency: 3 },
    );
    try {
      await db.$transaction(async (tx) => {
        for (let n = 0; n < 3; n++) {
          await jobs.enqueue(tx, { name: "t-keyed", data: { key: "a", n }, singletonKey: "a" });
        }
        await jobs.enqueue(tx, { name: "t-keyed", data: { key: "b", n: 0 }, singletonKey: "b" });
      });
      await until(async () => done.length === 4, { what: "the four keyed jobs" });
      expect(maxSameKey).toBe(1);
      expect(done.filter((d) => d.startsWith("a:"))).toHaveLength(3);
    } finally {
      await worker.stop();
    }
  });

  it("retries a failing job with growing delays up to its limit, telling the last attempt", async () => {
    const attempts: { at: number; retryCount: number; final: boolean }[] = [];
    const worker = await startWorker(
      jobs,
      {
        "t-failing": async (job) => {
          attempts.push({ at: Date.now(), retryCount: job.retryCount, final: job.isFinalAttempt });
          throw new Error("the provider is down");
        },
      },
      { pollingIntervalSeconds: 0.5 },
    );
    try {
      await db.$transaction((tx) => jobs.enqueue(tx, { name: "t-failing", data: {} }));
      await until(async () => (await jobRows("t-failing"))[0]?.state === "failed", {
        what: "the job to fail for good",
      });
      expect(attempts.map((a) => a.retryCount)).toEqual([0, 1, 2, 3]);
      expect(attempts.map((a) => a.final)).toEqual([false, false, false, true]);
      const gaps = attempts.slice(1).map((a, i) => a.at - (attempts[i]?.at ?? 0));
      // retryDelay 1 s with backoff: about 1, 2, 4 s (pg-boss adds jitter; polling adds up to 0.5 s).
      expect(gaps[0]).toBeGreaterThanOrEqual(900);
      expect(gaps[2]).toBeGreaterThan(gaps[0] ?? 0);
      expect(gaps[2]).toBeGreaterThanOrEqual(2_500);
    } finally {
      await worker.stop();
    }
  });
});
