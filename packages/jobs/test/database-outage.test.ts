// A job that ends while the database is down: pg-boss 10 does not await the SQL that marks a
// job completed or failed, so that rejection used to escape as an unhandled rejection, which
// ends a Node process (patches/pg-boss@10.4.2.patch awaits it). Runs on an embedded server of
// its own (PGlite behind a socket, stopped like a server shutdown), never the shared one.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createDatabaseClient,
  type DatabaseClient,
  type EmbeddedPostgres,
  startEmbeddedPostgres,
} from "@botgate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Jobs, openJobs, type QueueDefinition, startWorker } from "../src/index.ts";
import { until } from "./until.ts";

const QUEUE: QueueDefinition = {
  name: "t-outage",
  policy: "standard",
  retryLimit: 0,
  retryDelay: 0,
  retryBackoff: false,
  expireInSeconds: 30,
};

let dataDir: string;
let port = 0;
let postgres: EmbeddedPostgres | null = null;
let db: DatabaseClient;
let jobs: Jobs;
const queueErrors: unknown[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), "botgate-jobs-outage-")), "pglite");
  postgres = await startEmbeddedPostgres({ dataDir, port });
  port = Number(new URL(postgres.url).port);
  db = createDatabaseClient(postgres.url, { maxConnections: postgres.maxConnections });
  jobs = await openJobs({ db, queues: [QUEUE], onError: (error) => queueErrors.push(error) });
  process.on("unhandledRejection", onUnhandled);
}, 60_000);

afterAll(async () => {
  process.off("unhandledRejection", onUnhandled);
  await jobs?.boss.stop({ graceful: false, close: false }).catch(() => {});
  await db?.$disconnect();
  await postgres?.close();
  if (dataDir) await rm(join(dataDir, ".."), { recursive: true, force: true });
});

describe("a job that ends while the database is down", () => {
  it.each([
    ["succeeds", async () => {}],
    [
      "throws",
      async () => {
        throw new Error("the handler failed");
      },
    ],
  ])(
    "reports the lost write as a queue error when its handler %s, never as an unhandled rejection",
    async (_, end) => {
      let release = () => {};
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      let started = false;
      const worker = await startWorker(jobs, {
        "t-outage": async () => {
          started = true;
          await released;
          await end();
        },
      });
      try {
        // The previous case left the server stopped; the pool reconnects to the same port.
        postgres ??= await startEmbeddedPostgres({ dataDir, port });
        await db.$transaction((tx) => jobs.enqueue(tx, { name: "t-outage", data: {} }));
        await until(async () => started, { what: "the job to start" });
        const errorsBefore = queueErrors.length;
        await postgres.close();
        postgres = null;
        release();
        await until(async () => queueErrors.length > errorsBefore, {
          what: "the queue to report the lost write",
        });
        // Long enough for a stray rejection of that write to surface (it is a microtask away).
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(unhandled).toEqual([]);
      } finally {
        await worker.stop().catch(() => {});
      }
    },
  );
});
