// Every queue of the platform, in one place. Jobs are short: a job that must wait (certificate
// issuance, DNS propagation) re-schedules itself with `startAfter` and ends, so a worker that
// dies loses at most one short step, and its job runs again once `expireInSeconds` passes.
import { DEPLOYMENT_QUEUE } from "@botgate/api";
import type PgBoss from "pg-boss";
import { DOMAIN_SCHEDULES } from "./domains/index.ts";
import { domainQueueDefinitions } from "./domains/queues.ts";
import { HOST_SWEEP_QUEUE } from "./host-reverify.ts";
import { webhookQueueDefinition } from "./webhooks.ts";

export interface QueueDefinition {
  name: string;
  /**
   * `singleton`: at most one ACTIVE job per singletonKey (one deployment per chatbot at a
   * time), any number queued. `standard`: no exclusion.
   */
  policy: "standard" | "singleton";
  /** Attempts after the first, each `retryDelay` seconds later, doubled per attempt with backoff. */
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  /** A job active longer than this (its worker died) is failed and retried. */
  expireInSeconds: number;
}

export interface QueueTuning {
  /** JOBS_EXPIRE_SECONDS: how soon a job whose worker was killed runs again. */
  expireInSeconds: number;
}

export const DEFAULT_QUEUE_TUNING: QueueTuning = { expireInSeconds: 15 };

export const QUEUE_NAMES = {
  /** Deploy / undeploy / delete of a chatbot's default host; singletonKey `chatbot:<id>`. */
  deployment: DEPLOYMENT_QUEUE,
} as const;

export function queueDefinitions(tuning: QueueTuning = DEFAULT_QUEUE_TUNING): QueueDefinition[] {
  return [
    {
      name: QUEUE_NAMES.deployment,
      policy: "singleton",
      retryLimit: 6,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: tuning.expireInSeconds,
    },
    ...domainQueueDefinitions(tuning),
    // Like the domain sweep: a failed one is simply replaced by the next minute's.
    {
      name: HOST_SWEEP_QUEUE,
      policy: "standard",
      retryLimit: 0,
      retryDelay: 1,
      retryBackoff: true,
      expireInSeconds: tuning.expireInSeconds,
    },
    webhookQueueDefinition(tuning),
  ];
}

/** pg-boss cron schedules (minute resolution, UTC) of the periodic jobs. */
export const SCHEDULES: readonly { name: string; cron: string }[] = [
  ...DOMAIN_SCHEDULES,
  { name: HOST_SWEEP_QUEUE, cron: "* * * * *" },
];

export function pgBossQueueOptions(definition: QueueDefinition): PgBoss.Queue {
  return {
    name: definition.name,
    policy: definition.policy,
    retryLimit: definition.retryLimit,
    retryDelay: definition.retryDelay,
    retryBackoff: definition.retryBackoff,
    expireInSeconds: definition.expireInSeconds,
  };
}
