// Stable provider-side names derived from the domain row, so every retry of a job asks the
// provider for the same thing: Route53's CallerReference and ACM's IdempotencyToken.
import type { PlatformConfig } from "@botgate/core";

interface DomainIdentity {
  id: number;
  createdAt: Date;
}

/** Unique per domain row for ever (CallerReference may never be reused in an AWS account). */
export function zoneCallerReference(domain: DomainIdentity, config: PlatformConfig): string {
  return `botgate-${config.environment}-domain-${domain.id}-${domain.createdAt.getTime().toString(36)}`;
}

/** At most 32 word characters (ACM's limit); the same within ACM's one-hour window. */
export function certificateIdempotencyToken(domain: DomainIdentity): string {
  return `bgd${domain.id}t${domain.createdAt.getTime().toString(36)}`.slice(0, 32);
}
