// Runs queued webhook delivery attempts in a test process, as the `webhook.deliver` job does:
// the queue records (delivery, due time) inside the recording transaction, and a loop runs
// each attempt once it is due and its transaction committed (attemptDelivery finds the row).
import { attemptDelivery, type DeliveryQueue, setDeliveryQueue } from "@botgate/api";
import type { Runtime } from "../src/runtime.ts";
import { webhookSettingsOf } from "../src/runtime.ts";

export interface DeliveryDriver {
  stop(): Promise<void>;
}

export function startDeliveryDriver(runtime: Runtime): DeliveryDriver {
  const due: { deliveryId: number; at: number }[] = [];
  const queue: DeliveryQueue = {
    enqueueDelivery: async (_tx, deliveryId, startAfter) => {
      due.push({ deliveryId, at: startAfter?.getTime() ?? Date.now() });
    },
  };
  setDeliveryQueue(queue);
  const services = { db: runtime.db, secrets: runtime.secrets, webhooks: webhookSettingsOf(runtime.env) };
  let running = true;
  const loop = (async () => {
    while (running) {
      const now = Date.now();
      const ready = due.filter((job) => job.at <= now);
      for (const job of ready) due.splice(due.indexOf(job), 1);
      for (const job of ready) {
        const report = await attemptDelivery(services, job.deliveryId);
        // Not committed yet when first seen: try again shortly.
        if (report.status === "skipped") {
          const row = await runtime.db.webhookDelivery.findUnique({ where: { id: job.deliveryId } });
          if (row === null && Date.now() - job.at < 5_000) due.push({ ...job });
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      setDeliveryQueue(null);
    },
  };
}
