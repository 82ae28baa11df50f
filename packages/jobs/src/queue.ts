// The job queue on the application's own database (pg-boss, in its own `pgboss` schema next to
// Prisma's tables in `public`). pg-boss installs and migrates that schema itself at start,
// under its own advisory lock; Prisma's migrations never touch it and the drift check, which
// compares `public`, never sees it.
import type { JobQueue, JobRequest } from "@botgate/api";
import { type DatabaseClient, databasePoolOf, type Prisma } from "@botgate/db";
import PgBoss from "pg-boss";
import {
  DEFAULT_QUEUE_TUNING,
  pgBossQueueOptions,
  type QueueDefinition,
  queueDefinitions,
} from "./queues.ts";
import { poolExecutor, transactionExecutor } from "./sql.ts";

export const PGBOSS_SCHEMA = "pgboss";

export interface OpenJobsOptions {
  db: DatabaseClient;
  /** Defaults to every queue of queueDefinitions(). */
  queues?: QueueDefinition[];
  /**
   * Run pg-boss's maintenance (expiring jobs of dead workers, archiving) in this process:
   * every process with a worker does; several doing it is safe (pg-boss takes a lock).
   */
  supervise?: boolean;
  /** How often maintenance runs: a killed worker's job is retried at most this late after expiring. */
  maintenanceIntervalSeconds?: number;
  onError?: (error: unknown) => void;
}

/** Also the JobQueue that ApiServices.jobs is. */
export interface Jobs extends JobQueue {
  readonly boss: PgBoss;
  readonly queues: ReadonlyMap<string, QueueDefinition>;
  close(): Promise<void>;
}

export async function openJobs(options: OpenJobsOptions): Promise<Jobs> {
  const queues = new Map((options.queues ?? queueDefinitions(DEFAULT_QUEUE_TUNING)).map((q) => [q.name, q]));
  const supervise = options.supervise ?? false;
  const boss = new PgBoss({
    db: poolExecutor(databasePoolOf(options.db)),
    schema: PGBOSS_SCHEMA,
    migrate: true,
    supervise,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 5,
    // Cron is not used: periodic work re-schedules itself.
    schedule: false,
  });
  boss.on("error", (error) => (options.onError ?? defaultOnError)(error));
  await boss.start();
  try {
    for (const definition of queues.values()) await ensureQueue(boss, definition);
  } catch (error) {
    await boss.stop({ graceful: false, close: false }).catch(() => {});
    throw error;
  }
  const queue = new PgBossJobQueue(boss, queues);
  return {
    boss,
    queues,
    enqueue: (tx, job) => queue.enqueue(tx, job),
    close: () => boss.stop({ graceful: true, wait: true, close: false, timeout: 10_000 }),
  };
}

function defaultOnError(error: unknown): void {
  console.error("job queue:", error);
}

/** Creates a queue, or brings an existing one's options up to date (two processes may race). */
async function ensureQueue(boss: PgBoss, definition: QueueDefinition): Promise<void> {
  const options = pgBossQueueOptions(definition);
  if ((await boss.getQueue(definition.name)) === null) {
    try {
      await boss.createQueue(definition.name, options);
      return;
    } catch (error) {
      if ((await boss.getQueue(definition.name)) === null) throw error;
    }
  }
  await boss.updateQueue(definition.name, options);
}

class PgBossJobQueue implements JobQueue {
  readonly #boss: PgBoss;
  readonly #queues: ReadonlyMap<string, QueueDefinition>;

  constructor(boss: PgBoss, queues: ReadonlyMap<string, QueueDefinition>) {
    this.#boss = boss;
    this.#queues = queues;
  }

  async enqueue(tx: Prisma.TransactionClient, job: JobRequest): Promise<void> {
    if (!this.#queues.has(job.name)) throw new Error(`no queue named ${job.name}`);
    const id = await this.#boss.send(job.name, job.data, {
      db: transactionExecutor(tx),
      ...(job.singletonKey === undefined ? {} : { singletonKey: job.singletonKey }),
      ...(job.startAfter === undefined ? {} : { startAfter: job.startAfter }),
    });
    // Only a unique index refuses an insert, and our policies (standard, singleton) have none
    // on queued jobs: a refusal would be a lost job, so it fails the caller's transaction.
    if (id === null) throw new Error(`the job queue refused a ${job.name} job`);
  }
}
