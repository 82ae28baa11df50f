// The in-process count that stands in for Redis: fixed windows from a key's first request.
import { describe, expect, it } from "vitest";
import { LocalWindows } from "../src/index.ts";

describe("LocalWindows", () => {
  it("admits up to the limit per key within a window, counting down what remains", () => {
    const windows = new LocalWindows(60_000);
    const now = 1_000_000;
    const seen = [1, 2, 3].map(() => windows.count("a", 2, now));
    expect(seen.map((c) => [c.allowed, c.remaining])).toEqual([
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(windows.count("b", 2, now)).toMatchObject({ allowed: true, remaining: 1 });
    expect(seen[0]?.resetAt).toBe(now + 60_000);
  });

  it("starts a new window once the last one has passed", async () => {
    const windows = new LocalWindows(50);
    expect(windows.count("a", 1).allowed).toBe(true);
    expect(windows.count("a", 1).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(windows.count("a", 1).allowed).toBe(true);
  });
});
