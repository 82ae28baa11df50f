// Sign/verify round trips and every way a forward can be wrong. The edge tests run the same
// code in workerd; these run it in Node, where the origin verifies.
import { describe, expect, it } from "vitest";
import {
  claimsForwarding,
  FORWARDED_HEADERS,
  type ForwardedContext,
  MAX_CLOCK_SKEW_SECONDS,
  signForwardedRequest,
  verifyForwardedRequest,
} from "../src/index.ts";

const SECRET = "a-test-secret-that-is-long-enough-to-be-real";
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const request = { method: "POST", path: "/api/v1/chatbots/rMTAwMDAwMQx/chat/?x=1" };
const context: ForwardedContext = {
  chatbotId: "1",
  mode: "default",
  accountNumber: "1234-5678-9012",
  requestId: "req-1",
  clientIp: "203.0.113.9",
};

async function signed(overrides: Partial<ForwardedContext> = {}, now = NOW): Promise<Headers> {
  return new Headers(await signForwardedRequest(SECRET, request, { ...context, ...overrides }, now));
}

describe("signForwardedRequest / verifyForwardedRequest", () => {
  it("round-trips the context", async () => {
    const result = await verifyForwardedRequest(
      SECRET,
      { ...request, headers: await signed() },
      { now: NOW },
    );
    expect(result).toEqual({ ok: true, context, timestamp: NOW / 1000 });
  });

  it("leaves empty values out and still verifies them as empty", async () => {
    const headers = await signed({ clientIp: "" });
    expect(headers.has(FORWARDED_HEADERS.clientIp)).toBe(false);
    const result = await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW });
    expect(result.ok && result.context.clientIp).toBe("");
  });

  it("rejects a request without a signature as unsigned", async () => {
    const headers = new Headers({ [FORWARDED_HEADERS.mode]: "default" });
    expect(await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW })).toEqual({
      ok: false,
      reason: "unsigned",
    });
  });

  it.each(Object.keys(context) as (keyof ForwardedContext)[])("rejects a tampered %s", async (field) => {
    const headers = await signed();
    headers.set(FORWARDED_HEADERS[field], `${context[field]}0`);
    const result = await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW });
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a header added after signing", async () => {
    const headers = await signed({ clientIp: "" });
    headers.set(FORWARDED_HEADERS.clientIp, "198.51.100.1");
    expect((await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW })).ok).toBe(false);
  });

  it("binds the method and the path (query included)", async () => {
    const headers = await signed();
    for (const other of [
      { ...request, method: "GET" },
      { ...request, path: "/api/v1/chatbots/rMTAwMDAwMQx/chat/?x=2" },
      { ...request, path: "/api/v1/chatbots/2/chat/?x=1" },
    ]) {
      expect(await verifyForwardedRequest(SECRET, { ...other, headers }, { now: NOW })).toEqual({
        ok: false,
        reason: "bad_signature",
      });
    }
  });

  it("rejects another secret's signature", async () => {
    const headers = await signed();
    const result = await verifyForwardedRequest(`${SECRET}x`, { ...request, headers }, { now: NOW });
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a tampered timestamp", async () => {
    const headers = await signed();
    headers.set(FORWARDED_HEADERS.timestamp, String(NOW / 1000 + 1));
    const result = await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW });
    expect(result).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("accepts the allowed clock skew either way and rejects anything beyond it", async () => {
    const skew = MAX_CLOCK_SKEW_SECONDS * 1000;
    for (const signedAt of [NOW - skew, NOW + skew]) {
      const result = await verifyForwardedRequest(
        SECRET,
        { ...request, headers: await signed({}, signedAt) },
        { now: NOW },
      );
      expect(result.ok).toBe(true);
    }
    for (const signedAt of [NOW - skew - 1000, NOW + skew + 1000]) {
      const result = await verifyForwardedRequest(
        SECRET,
        { ...request, headers: await signed({}, signedAt) },
        { now: NOW },
      );
      expect(result).toEqual({ ok: false, reason: "stale" });
    }
  });

  it.each([
    ["signature", "not base64"],
    ["signature", ""],
    ["timestamp", "12.5"],
    ["timestamp", "-1"],
  ] as const)("rejects a malformed %s (%j)", async (header, value) => {
    const headers = await signed();
    headers.set(FORWARDED_HEADERS[header], value);
    const result = await verifyForwardedRequest(SECRET, { ...request, headers }, { now: NOW });
    expect(result).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses to sign values a header cannot carry", async () => {
    await expect(signForwardedRequest(SECRET, request, { clientIp: "1.2.3.4\r\nx: y" })).rejects.toThrow(
      /control character/,
    );
  });
});

describe("claimsForwarding", () => {
  it("is true for any X-Botgate-* header, whatever its case", () => {
    expect(claimsForwarding(new Headers({ "X-Botgate-Anything": "1" }))).toBe(true);
    expect(claimsForwarding(new Headers({ "X-Request-Id": "1", Authorization: "Bearer x" }))).toBe(false);
  });
});
