// What the custom-domain jobs need: the API's services (database, routing write-through, job
// queue, verified-domain cache) and the provisioning seams (zones, certificates, DNS checker).
import type { ApiServices, TransitionServices } from "@botgate/api";
import type { Provisioning } from "@botgate/provisioning";

export interface DomainJobServices extends TransitionServices {
  jobs: ApiServices["jobs"];
  provisioning: Provisioning;
  /** DOMAIN_REVERIFY_GRACE_HOURS: how long a verified domain whose DNS moved away keeps routing. */
  reverifyGraceHours: number;
  now?: () => Date;
}

export const DEFAULT_REVERIFY_GRACE_HOURS = 72;

export function clock(services: DomainJobServices): Date {
  return services.now?.() ?? new Date();
}
