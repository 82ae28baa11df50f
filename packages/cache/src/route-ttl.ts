/** Lifetimes of routing entries in the shared store, shared by every writer so they agree. */
export const ROUTE_TTL = {
  /** Records written through by the API: every routing change rewrites or deletes them anyway. */
  writeThroughSeconds: 24 * 60 * 60,
  /** Records refilled after a miss: shorter, since a refill can race a concurrent deletion. */
  refillSeconds: 5 * 60,
  /** Unknown hosts and ids: short, so a host that just became known is never hidden for long. */
  negativeSeconds: 30,
} as const;
