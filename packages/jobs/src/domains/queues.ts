// The custom-domain queues. The per-domain singleton key keeps one job of each queue active
// per domain, but a provision and a verify job of one domain may run at once (pg-boss applies
// the policy per queue), so each step writes only what its own state owns. Removal must never
// give up early (nothing may dangle).
import { DOMAIN_JOBS } from "@botgate/api";
import type { QueueDefinition, QueueTuning } from "../queues.ts";

export function domainQueueDefinitions(tuning: QueueTuning): QueueDefinition[] {
  const step = { retryLimit: 6, retryDelay: 2, retryBackoff: true, expireInSeconds: tuning.expireInSeconds };
  return [
    { name: DOMAIN_JOBS.provision, policy: "singleton", ...step },
    { name: DOMAIN_JOBS.verify, policy: "singleton", ...step },
    { name: DOMAIN_JOBS.remove, policy: "standard", ...step, retryLimit: 12, retryDelay: 5 },
    // Overlapping sweeps are harmless (each due check is claimed once); a failed one is
    // simply replaced by the next minute's.
    { name: DOMAIN_JOBS.sweep, policy: "standard", ...step, retryLimit: 0 },
    { name: DOMAIN_JOBS.cleanup, policy: "standard", ...step, retryLimit: 0 },
  ];
}
