import { describe, expect, it } from "vitest";
import { frameAncestors, isEmbedOrigin, normalizeEmbedOrigin } from "../src/embed.ts";

describe("embed origins", () => {
  it.each([
    ["https://Shop.Example.com/", "https://shop.example.com"],
    ["  https://shop.example.com  ", "https://shop.example.com"],
    ["http://localhost:3000", "http://localhost:3000"],
    ["https://shop.example.com:443", "https://shop.example.com"],
    ["https://bücher.example", "https://xn--bcher-kva.example"],
  ])("normalizes %s to %s", (input, origin) => {
    expect(normalizeEmbedOrigin(input)).toBe(origin);
  });

  it.each([
    "shop.example.com",
    "ftp://shop.example.com",
    "https://shop.example.com/path",
    "https://shop.example.com/?q",
    "https://shop.example.com/#x",
    "https://u:p@shop.example.com",
    "https://[::1]",
    "data:text/html,hi",
    "",
  ])("refuses %s", (input) => {
    expect(normalizeEmbedOrigin(input)).toBeNull();
  });

  it("puts only valid origins in frame-ancestors, and nobody when none is left", () => {
    expect(frameAncestors(["https://a.example", "http://localhost:8080"])).toBe(
      "https://a.example http://localhost:8080",
    );
    expect(frameAncestors([])).toBe("'none'");
    expect(frameAncestors(["https://a.example; script-src *", "*"])).toBe("'none'");
    expect(isEmbedOrigin("https://a.example ")).toBe(false);
  });
});
