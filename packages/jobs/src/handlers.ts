// Which handler runs each queue's jobs. The worker process and the API's inline worker both
// register exactly this map.
import { type ApiServices, DEPLOYMENT_QUEUE, type DeploymentJob } from "@botgate/api";
import { type DeployOptions, deploymentHandler } from "./deploy.ts";
import { DEFAULT_REVERIFY_GRACE_HOURS, domainJobHandlers } from "./domains/index.ts";
import { HOST_SWEEP_QUEUE, sweepDueHosts } from "./host-reverify.ts";
import { WEBHOOK_DELIVERY_QUEUE, webhookDeliveryHandler } from "./webhooks.ts";
import type { JobHandler } from "./worker.ts";

export interface HandlerOptions {
  deploy: DeployOptions;
  /** DOMAIN_REVERIFY_GRACE_HOURS: how long a domain or default host whose DNS moved away keeps routing. */
  reverifyGraceHours?: number;
}

export function jobHandlers(services: ApiServices, options: HandlerOptions): Record<string, JobHandler> {
  const deploy = deploymentHandler(services, options.deploy);
  return {
    [DEPLOYMENT_QUEUE]: (job) => deploy(job.data as unknown as DeploymentJob),
    ...domainJobHandlers({
      ...services,
      reverifyGraceHours: options.reverifyGraceHours ?? DEFAULT_REVERIFY_GRACE_HOURS,
    }),
    [HOST_SWEEP_QUEUE]: async () => {
      await sweepDueHosts({
        ...services,
        reverifyGraceHours: options.reverifyGraceHours ?? DEFAULT_REVERIFY_GRACE_HOURS,
      });
    },
    [WEBHOOK_DELIVERY_QUEUE]: webhookDeliveryHandler(services),
  };
}
