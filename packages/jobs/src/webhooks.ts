// Webhook delivery jobs: one `webhook-delivery` job per attempt of a WebhookDelivery. The job
// sends one attempt (packages/api attemptDelivery) and, when it failed, queues the next
// attempt per the backoff schedule in the same transaction that records the failure.
import { type ApiServices, attemptDelivery, type DeliveryQueue, type JobQueue } from "@botgate/api";
import { z } from "zod";
import type { QueueDefinition, QueueTuning } from "./queues.ts";
import type { JobHandler } from "./worker.ts";

export const WEBHOOK_DELIVERY_QUEUE = "webhook-delivery";

export function webhookQueueDefinition(tuning: QueueTuning): QueueDefinition {
  return {
    name: WEBHOOK_DELIVERY_QUEUE,
    // One attempt of a delivery at a time, even if a job is queued twice.
    policy: "singleton",
    // Retries only for the job itself failing (database outage); HTTP failures are attempts.
    retryLimit: 5,
    retryDelay: 5,
    retryBackoff: true,
    // Longer than an attempt may take (WEBHOOK_TIMEOUT_SECONDS is at most 60).
    expireInSeconds: Math.max(tuning.expireInSeconds, 90),
  };
}

/** How recordEvents() and attemptDelivery() queue attempts: through the caller's transaction. */
export function webhookDeliveryQueue(jobs: JobQueue): DeliveryQueue {
  return {
    enqueueDelivery: (tx, deliveryId, startAfter) =>
      jobs.enqueue(tx, {
        name: WEBHOOK_DELIVERY_QUEUE,
        data: { deliveryId },
        singletonKey: `webhook-delivery:${deliveryId}`,
        ...(startAfter === undefined ? {} : { startAfter }),
      }),
  };
}

const jobData = z.object({ deliveryId: z.number().int().positive() });

export function webhookDeliveryHandler(services: ApiServices): JobHandler {
  return async (job) => {
    const parsed = jobData.safeParse(job.data);
    // A malformed job can never succeed: drop it instead of retrying it.
    if (!parsed.success) {
      services.logger.warn(`webhook-delivery job ${job.id} has malformed data; dropped`);
      return;
    }
    await attemptDelivery(services, parsed.data.deliveryId);
  };
}
