// The API's view of the durable job queue: enqueue a job inside the Prisma transaction that
// makes the state change causing it, so a rolled-back change leaves no phantom job and a
// committed one never loses its job. packages/jobs implements it on pg-boss; packages/api
// never depends on the queue library.
import type { Prisma } from "@botgate/db";

export type JobData = Prisma.InputJsonObject;

export interface JobRequest {
  /** A queue name from packages/jobs' queue definitions. */
  name: string;
  data: JobData;
  /** Jobs sharing a key never run at once (the queue's policy decides how). */
  singletonKey?: string;
  /** Not before this time (a Date) or this many seconds from now. */
  startAfter?: Date | number;
}

export interface JobQueue {
  /** Inserts the job through `tx`, so it commits or rolls back with the caller's change. */
  enqueue(tx: Prisma.TransactionClient, job: JobRequest): Promise<void>;
}
