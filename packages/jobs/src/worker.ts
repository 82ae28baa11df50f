// Runs handlers for queued jobs: inside the API process (JOBS_WORKER=inline, the default) or
// in a process of its own (apps/api/src/worker.ts). A handler that throws is retried by the
// queue with backoff; on its last attempt it is told so, to record a final failure status.
import type PgBoss from "pg-boss";
import type { Jobs } from "./queue.ts";

export interface JobContext<T = Record<string, unknown>> {
  id: string;
  name: string;
  data: T;
  /** 0 on the first run. */
  retryCount: number;
  retryLimit: number;
  /** No retry follows if this run throws. */
  isFinalAttempt: boolean;
}

export type JobHandler = (job: JobContext) => Promise<void>;

export interface WorkerOptions {
  /** JOBS_POLL_SECONDS: how often an idle worker asks for jobs (pg-boss's minimum is 0.5). */
  pollingIntervalSeconds?: number;
  /** Polling loops per queue in this process. */
  concurrency?: number;
  onError?: (queue: string, error: unknown) => void;
}

export interface Worker {
  readonly ids: string[];
  /** Stops polling; running jobs finish (the queue's close() waits for them). */
  stop(): Promise<void>;
}

export async function startWorker(
  jobs: Jobs,
  handlers: Readonly<Record<string, JobHandler>>,
  options: WorkerOptions = {},
): Promise<Worker> {
  const ids: string[] = [];
  const workOptions = {
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 0.5,
    batchSize: 1,
    includeMetadata: true as const,
  };
  for (const [name, handler] of Object.entries(handlers)) {
    if (!jobs.queues.has(name)) throw new Error(`no queue named ${name} for its handler`);
    for (let i = 0; i < (options.concurrency ?? 1); i++) {
      ids.push(
        await jobs.boss.work<Record<string, unknown>>(name, workOptions, (batch) =>
          runBatch(name, handler, batch, options),
        ),
      );
    }
  }
  return {
    ids,
    stop: async () => {
      for (const id of ids) await jobs.boss.offWork({ id });
    },
  };
}

async function runBatch(
  name: string,
  handler: JobHandler,
  batch: PgBoss.JobWithMetadata<Record<string, unknown>>[],
  options: WorkerOptions,
): Promise<void> {
  for (const job of batch) {
    try {
      await handler({
        id: job.id,
        name,
        data: job.data,
        retryCount: job.retryCount,
        retryLimit: job.retryLimit,
        isFinalAttempt: job.retryCount >= job.retryLimit,
      });
    } catch (error) {
      options.onError?.(name, error);
      throw error;
    }
  }
}
