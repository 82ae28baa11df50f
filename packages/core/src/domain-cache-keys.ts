// The key of the cached set of verified custom domains (SPEC §8: getVerifiedDomains), built
// here once for its writer (the API, which invalidates it on every verification change) and
// its readers, next to routeKey() in the same Redis.

/** Bumped when the cached value changes shape. */
export const VERIFIED_DOMAINS_KEY_VERSION = 1;

/** `scope` separates deployments sharing one Redis (test servers do); production has none. */
export function verifiedDomainsKey(scope?: string): string {
  const key = `domains:v${VERIFIED_DOMAINS_KEY_VERSION}:verified`;
  return scope === undefined ? key : `${key}:${scope}`;
}

/** Validates a cached value: a list of domain names, or null (a miss) for anything else. */
export function parseDomainList(value: unknown): string[] | null {
  if (!Array.isArray(value)) return null;
  return value.every((v) => typeof v === "string" && v.length > 0) ? (value as string[]) : null;
}
