// The admin API's services, as the tRPC route and the job worker both see them.
import type { ApiServices } from "@botgate/api";
import { type Runtime, webhookSettingsOf } from "./runtime.ts";

export function apiServicesOf(runtime: Runtime): ApiServices {
  return {
    db: runtime.db,
    routes: runtime.routes,
    config: runtime.config,
    provisioning: runtime.provisioning,
    secrets: runtime.secrets,
    jobs: runtime.jobs,
    logger: console,
    domainClaimTtlHours: runtime.env.DOMAIN_CLAIM_TTL_HOURS,
    webhooks: webhookSettingsOf(runtime.env),
  };
}
