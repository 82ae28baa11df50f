// The admin API's services, as the tRPC route and the job worker both see them.
import type { ApiServices } from "@botgate/api";
import { platformProviderOf } from "./origin/provider.ts";
import { egressPolicyOf, type Runtime, webhookSettingsOf } from "./runtime.ts";

export function apiServicesOf(runtime: Runtime): ApiServices {
  return {
    db: runtime.db,
    routes: runtime.routes,
    config: runtime.config,
    provisioning: runtime.provisioning,
    secrets: runtime.secrets,
    platformProvider: platformProviderOf(runtime.env),
    jobs: runtime.jobs,
    verifiedDomains: runtime.verifiedDomains,
    logger: console,
    domainClaimTtlHours: runtime.env.DOMAIN_CLAIM_TTL_HOURS,
    webhooks: webhookSettingsOf(runtime.env),
    egress: egressPolicyOf(runtime),
  };
}
