import { describe, expect, it } from "vitest";
import {
  checkIntervalMs,
  graceExpired,
  nextCheckAt,
  STEADY_CHECK_INTERVAL_MS,
  transientRetryMs,
} from "../src/index.ts";

const MIN = 60_000;

describe("checkIntervalMs", () => {
  it("checks every minute right after a change, then widens step by step to hourly", () => {
    const intervals = Array.from({ length: 20 }, (_, streak) => checkIntervalMs(streak) / MIN);
    expect(intervals).toEqual([1, 1, 1, 1, 1, 5, 5, 5, 5, 5, 15, 15, 15, 15, 30, 30, 60, 60, 60, 60]);
  });

  it("never shrinks as the streak grows, and stays hourly for ever", () => {
    for (let streak = 1; streak < 500; streak++) {
      expect(checkIntervalMs(streak)).toBeGreaterThanOrEqual(checkIntervalMs(streak - 1));
    }
    expect(checkIntervalMs(1_000_000)).toBe(STEADY_CHECK_INTERVAL_MS);
  });

  it("treats a negative or fractional streak as the start of the schedule", () => {
    expect(checkIntervalMs(-3)).toBe(MIN);
    expect(checkIntervalMs(4.9)).toBe(MIN);
  });
});

describe("nextCheckAt", () => {
  it("adds the interval of the streak to now", () => {
    const now = new Date("2026-12-02T00:00:00Z");
    expect(nextCheckAt(now, 0).toISOString()).toBe("2026-12-02T00:01:00.000Z");
    expect(nextCheckAt(now, 16).toISOString()).toBe("2026-12-02T01:00:00.000Z");
  });
});

describe("transientRetryMs", () => {
  it("retries soon and doubles up to a quarter of an hour", () => {
    expect([0, 1, 2, 3, 4, 5, 50].map(transientRetryMs)).toEqual([
      30_000,
      MIN,
      2 * MIN,
      4 * MIN,
      8 * MIN,
      15 * MIN,
      15 * MIN,
    ]);
  });
});

describe("graceExpired", () => {
  const since = new Date("2026-12-02T00:00:00Z");
  it("holds routing until the grace period has fully passed", () => {
    expect(graceExpired(since, new Date("2026-12-02T23:59:59Z"), 24)).toBe(false);
    expect(graceExpired(since, new Date("2026-12-03T00:00:00Z"), 24)).toBe(true);
  });

  it("accepts a fractional grace (hours)", () => {
    expect(graceExpired(since, new Date(since.getTime() + 1_000), 0.0002)).toBe(true);
  });
});
