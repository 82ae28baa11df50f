// The custom-domain queues. provision and verify share the per-domain singleton key, so one
// domain never runs two steps at once; removal must never give up early (nothing may dangle).
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
