// Which handler runs each queue's jobs. The worker process and the API's inline worker both
// register exactly this map.
import type { ApiServices } from "@botgate/api";
import { type DomainJobServices, domainJobHandlers } from "./domains/index.ts";
import type { JobHandler } from "./worker.ts";

/** What the handlers need beyond the API's services. */
export interface JobHandlerServices {
  /** The custom-domain jobs' services (the provider behind PROVISIONING, the grace period). */
  domains: DomainJobServices;
}

export function jobHandlers(_services: ApiServices, extra: JobHandlerServices): Record<string, JobHandler> {
  return { ...domainJobHandlers(extra.domains) };
}
