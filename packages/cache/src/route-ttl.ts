/** Lifetimes of routing entries in the shared store, shared by every writer so they agree. */
export const ROUTE_TTL = {
  /** Records written through by the API: every routing change rewrites them anyway. */
  writeThroughSeconds: 24 * 60 * 60,
  /** Records refilled after a miss: shorter, a refill is only as fresh as the read behind it. */
  refillSeconds: 5 * 60,
  /** Unknown hosts and ids: short, so a host that just became known is never hidden for long. */
  negativeSeconds: 30,
  /** Targets that just stopped routing: outlives any refill that raced the change. */
  tombstoneSeconds: 60,
} as const;
