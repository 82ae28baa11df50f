// Fan-out of recorded events to the account's webhook endpoints: one WebhookDelivery row per
// (event, enabled endpoint whose filter matches), created in the event's own transaction, and
// its delivery job queued in that same transaction (no lost or phantom deliveries).
import type { Prisma } from "@botgate/db";

/** Queues delivery attempts; implemented by the job queue (packages/jobs, `webhook.deliver`). */
export interface DeliveryQueue {
  /** Queues an attempt of this delivery inside `tx`, at `startAfter` (default: now). */
  enqueueDelivery(tx: Prisma.TransactionClient, deliveryId: number, startAfter?: Date): Promise<void>;
}

/**
 * The queue delivery jobs go to. Set once per process by whatever runs the job queue (the API
 * process and the worker): recordEvents() is called from many places that hold only a
 * transaction, and the queue writes its jobs through that transaction, so one queue serves
 * every database. Without one, deliveries are recorded as pending and no job is queued.
 */
let deliveryQueue: DeliveryQueue | null = null;

export function setDeliveryQueue(queue: DeliveryQueue | null): void {
  deliveryQueue = queue;
}

export function currentDeliveryQueue(): DeliveryQueue | null {
  return deliveryQueue;
}

/** Whether an endpoint's filter takes this event type (an empty filter takes every type). */
export function endpointWants(eventTypes: readonly string[], type: string): boolean {
  return eventTypes.length === 0 || eventTypes.includes(type);
}

export async function fanOutToWebhooks(
  tx: Prisma.TransactionClient,
  accountId: number,
  events: readonly { id: number; type: string }[],
): Promise<void> {
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { accountId, disabledAt: null },
    select: { id: true, eventTypes: true },
  });
  const pairs = events
    // A test message goes only where webhook.test sends it.
    .filter((event) => event.type !== "webhook.test")
    .flatMap((event) =>
      endpoints
        .filter((endpoint) => endpointWants(endpoint.eventTypes, event.type))
        .map((endpoint) => ({ endpointId: endpoint.id, eventId: event.id })),
    );
  if (pairs.length === 0) return;
  const now = new Date();
  const deliveries = await tx.webhookDelivery.createManyAndReturn({
    data: pairs.map((pair) => ({ ...pair, nextAttemptAt: now })),
    select: { id: true },
  });
  const queue = deliveryQueue;
  if (queue === null) return;
  for (const delivery of deliveries) await queue.enqueueDelivery(tx, delivery.id);
}
