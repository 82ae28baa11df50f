// The durable job queue of this process, and its worker when this process runs one
// (JOBS_WORKER=inline, the default; the `worker` script runs one on its own).
import { setDeliveryQueue } from "@botgate/api";
import type { DatabaseClient } from "@botgate/db";
import {
  DEFAULT_DEPLOY_OPTIONS,
  type Jobs,
  jobHandlers,
  openJobs,
  queueDefinitions,
  startWorker,
  type Worker,
  webhookDeliveryQueue,
} from "@botgate/jobs";
import type { Env } from "./env.ts";
import type { Runtime } from "./runtime.ts";
import { apiServicesOf } from "./services.ts";

export async function openJobsOf(env: Env, db: DatabaseClient, runsWorker: boolean): Promise<Jobs> {
  const jobs = await openJobs({
    db,
    queues: queueDefinitions({ expireInSeconds: env.JOBS_EXPIRE_SECONDS }),
    supervise: runsWorker,
    maintenanceIntervalSeconds: env.JOBS_MAINTENANCE_SECONDS,
  });
  // recordEvents() queues webhook deliveries through the recording transaction, whichever
  // database it is on, so one queue per process serves them all.
  setDeliveryQueue(webhookDeliveryQueue(jobs));
  return jobs;
}

export function startWorkerOf(runtime: Runtime): Promise<Worker> {
  const { env } = runtime;
  const handlers = jobHandlers(apiServicesOf(runtime), {
    deploy: {
      ...DEFAULT_DEPLOY_OPTIONS,
      edgeTarget: env.EDGE_TARGET,
      baseDelaySeconds: env.DEPLOY_RECHECK_BASE_SECONDS,
      maxDelaySeconds: env.DEPLOY_RECHECK_MAX_SECONDS,
    },
    reverifyGraceHours: env.DOMAIN_REVERIFY_GRACE_HOURS,
  });
  return startWorker(runtime.jobs, handlers, {
    pollingIntervalSeconds: runtime.env.JOBS_POLL_SECONDS,
    concurrency: runtime.env.JOBS_CONCURRENCY,
    onError: (queue, error) => console.warn(`job on ${queue} failed (it is retried):`, error),
  });
}
