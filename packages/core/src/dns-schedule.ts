// When DNS is checked next: a backoff schedule like Cloudflare's for custom hostnames. Right
// after a change (a domain created, a verify asked for, an outcome that flipped) DNS is
// checked every minute, when a customer is most likely watching and propagation is landing;
// the interval then widens step by step to hourly, where it stays. `streak` counts the
// checks since the last change, so any change starts the fast checks over.

const MINUTE_MS = 60_000;

/** [checks in this step, interval in minutes]; past the last step, every hour. */
const STEPS: readonly (readonly [number, number])[] = [
  [5, 1],
  [5, 5],
  [4, 15],
  [2, 30],
];

export const STEADY_CHECK_INTERVAL_MS = 60 * MINUTE_MS;

/** How long after the `streak`-th check since the last change the next one runs. */
export function checkIntervalMs(streak: number): number {
  let remaining = Math.max(0, Math.floor(streak));
  for (const [count, minutes] of STEPS) {
    if (remaining < count) return minutes * MINUTE_MS;
    remaining -= count;
  }
  return STEADY_CHECK_INTERVAL_MS;
}

/** The time of the next check, `streak` checks after the last change. */
export function nextCheckAt(now: Date, streak: number): Date {
  return new Date(now.getTime() + checkIntervalMs(streak));
}

/**
 * A transient answer (timeout, SERVFAIL) says nothing about the domain: retry soon, but back
 * off so an outage of the resolver is not hammered (30 s, 1, 2, 4... minutes, at most 15).
 */
export function transientRetryMs(attempt: number): number {
  const n = Math.max(0, Math.floor(attempt));
  return Math.min(15 * MINUTE_MS, 30_000 * 2 ** Math.min(n, 10));
}

/** Whether a host failing since `failingSince` has used up its grace period. */
export function graceExpired(failingSince: Date, now: Date, graceHours: number): boolean {
  return now.getTime() - failingSince.getTime() >= graceHours * 3_600_000;
}
