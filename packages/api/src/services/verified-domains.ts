// getVerifiedDomains (SPEC §8): the set of verified custom domains, served from the routing
// cache and read from the database after a miss. Every change of a domain's verification
// invalidates it after its transaction commits; a refill lives briefly, so a refill that read
// the database just before a change is corrected soon even if it landed after the deletion.
import type { ApiServices } from "../context.ts";

/** How long a refilled set lives. */
export const VERIFIED_DOMAINS_TTL_SECONDS = 60;

type Services = Pick<ApiServices, "db" | "logger" | "verifiedDomains">;

export async function getVerifiedDomains(services: Services): Promise<string[]> {
  const cache = services.verifiedDomains;
  if (cache) {
    try {
      const cached = await cache.get();
      if (cached !== null) return cached;
    } catch (error) {
      services.logger.warn("verified-domain cache read failed; reading the database", error);
    }
  }
  const rows = await services.db.chatBotCustomDomain.findMany({
    where: { isVerified: true },
    select: { domainName: true },
    orderBy: { domainName: "asc" },
  });
  const domains = rows.map((row) => row.domainName);
  if (cache) {
    await cache.set(domains, VERIFIED_DOMAINS_TTL_SECONDS).catch((error: unknown) => {
      services.logger.warn("verified-domain cache refill failed", error);
    });
  }
  return domains;
}

/** After a commit that verified, unverified or deleted a verified domain. Never fails the change. */
export async function invalidateVerifiedDomains(services: Pick<ApiServices, "logger" | "verifiedDomains">) {
  try {
    await services.verifiedDomains?.invalidate();
  } catch (error) {
    services.logger.warn("verified-domain cache invalidation failed; it expires on its own", error);
  }
}
