// When to try a failed delivery again: exponential backoff like Svix's schedule, with
// jitter so endpoints that failed together do not all come back at the same second. Pure.

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Delay before attempt 2, 3, ...: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts in all). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

export interface RetrySchedule {
  /** Delay before each retry; its length + 1 is the maximum number of attempts. */
  delaysMs: readonly number[];
  /** Spread of each delay: 0.1 means ±10 %. */
  jitter: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = { delaysMs: DEFAULT_RETRY_DELAYS_MS, jitter: 0.1 };

export function maxAttempts(schedule: RetrySchedule): number {
  return schedule.delaysMs.length + 1;
}

/**
 * The delay before the next attempt after `attemptsMade` attempts have failed, or null when
 * no attempt is left. `random` is in [0, 1) (Math.random by default; fixed in tests).
 */
export function nextRetryDelayMs(
  attemptsMade: number,
  schedule: RetrySchedule = DEFAULT_RETRY_SCHEDULE,
  random: () => number = Math.random,
): number | null {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) return null;
  const base = schedule.delaysMs[attemptsMade - 1];
  if (base === undefined) return null;
  const factor = 1 + schedule.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(base * factor));
}
