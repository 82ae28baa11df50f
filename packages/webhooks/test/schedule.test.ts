import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_SCHEDULE, maxAttempts, nextRetryDelayMs } from "../src/schedule.ts";

describe("the retry schedule", () => {
  it("backs off like Svix: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, then gives up", () => {
    const exact = () => 0.5; // no jitter
    const delays = Array.from({ length: 8 }, (_, i) =>
      nextRetryDelayMs(i + 1, DEFAULT_RETRY_SCHEDULE, exact),
    );
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000, null]);
    expect(maxAttempts(DEFAULT_RETRY_SCHEDULE)).toBe(8);
  });

  it("spreads each delay by at most the jitter", () => {
    expect(nextRetryDelayMs(2, DEFAULT_RETRY_SCHEDULE, () => 0)).toBe(270_000);
    expect(nextRetryDelayMs(2, DEFAULT_RETRY_SCHEDULE, () => 0.999_999)).toBeLessThanOrEqual(330_000);
    for (let i = 0; i < 100; i++) {
      const delay = nextRetryDelayMs(1) ?? 0;
      expect(delay).toBeGreaterThanOrEqual(4_500);
      expect(delay).toBeLessThanOrEqual(5_500);
    }
  });

  it("has no delay before the first attempt or for nonsense counts", () => {
    expect(nextRetryDelayMs(0)).toBeNull();
    expect(nextRetryDelayMs(-1)).toBeNull();
    expect(nextRetryDelayMs(1.5)).toBeNull();
  });

  it("follows a configured schedule", () => {
    const schedule = { delaysMs: [10, 20], jitter: 0 };
    expect([1, 2, 3].map((n) => nextRetryDelayMs(n, schedule))).toEqual([10, 20, null]);
    expect(maxAttempts(schedule)).toBe(3);
  });
});
