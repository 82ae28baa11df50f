// The custom-domain jobs: queue definitions, schedules and handlers, registered with the
// platform's job queue (packages/jobs/src/queues.ts, handlers.ts).
import { DOMAIN_JOBS, type DomainRemovalData } from "@botgate/api";
import { cleanupClaims, removeDomainResources, sweepDueDomains } from "./maintenance.ts";
import { provisionDomain } from "./provision.ts";
import type { DomainJobServices } from "./services.ts";
import { verifyDomainStep } from "./verify.ts";

export { cleanupClaims, removeDomainResources, SWEEP_BATCH, sweepDueDomains } from "./maintenance.ts";
export { certificateIdempotencyToken, zoneCallerReference } from "./names.ts";
export { provisionDomain } from "./provision.ts";
export { clock, DEFAULT_REVERIFY_GRACE_HOURS, type DomainJobServices } from "./services.ts";
export { certificatePollSeconds, verifyDomainStep } from "./verify.ts";

/** pg-boss cron (minute resolution) of the periodic domain jobs. */
export const DOMAIN_SCHEDULES: readonly { name: string; cron: string }[] = [
  { name: DOMAIN_JOBS.sweep, cron: "* * * * *" },
  { name: DOMAIN_JOBS.cleanup, cron: "*/5 * * * *" },
];

const idOf = (data: Record<string, unknown>): number => {
  const id = data.domainId;
  if (typeof id !== "number" || !Number.isSafeInteger(id)) throw new Error("domain job without a domainId");
  return id;
};

export type DomainJobHandler = (job: { data: Record<string, unknown> }) => Promise<void>;

export function domainJobHandlers(services: DomainJobServices): Record<string, DomainJobHandler> {
  return {
    [DOMAIN_JOBS.provision]: ({ data }) => provisionDomain(services, idOf(data)),
    [DOMAIN_JOBS.verify]: ({ data }) =>
      verifyDomainStep(services, idOf(data), typeof data.attempt === "number" ? data.attempt : 0),
    [DOMAIN_JOBS.remove]: ({ data }) => removeDomainResources(services, data as unknown as DomainRemovalData),
    [DOMAIN_JOBS.sweep]: async () => {
      await sweepDueDomains(services);
    },
    [DOMAIN_JOBS.cleanup]: async () => {
      await cleanupClaims(services);
    },
  };
}
