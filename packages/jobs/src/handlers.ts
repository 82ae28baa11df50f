// Which handler runs each queue's jobs. The worker process and the API's inline worker both
// register exactly this map.
import type { ApiServices } from "@botgate/api";
import { WEBHOOK_DELIVERY_QUEUE, webhookDeliveryHandler } from "./webhooks.ts";
import type { JobHandler } from "./worker.ts";

export function jobHandlers(services: ApiServices): Record<string, JobHandler> {
  return {
    [WEBHOOK_DELIVERY_QUEUE]: webhookDeliveryHandler(services),
  };
}
