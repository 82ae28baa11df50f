// Sign/verify round trips and every way a forward can be wrong: context, method, path, body,
// credentials, timestamp, nonce. The edge tests run the same code in workerd; these run it in
// Node, where the origin verifies.
import { describe, expect, it } from "vitest";
import {
  bodyDigest,
  claimsForwarding,
  FORWARDED_HEADERS,
  type ForwardedContext,
  MAX_CLOCK_SKEW_SECONDS,
  NONCE_TTL_SECONDS,
  type NonceStore,
  type ReplayCheck,
  type SignedRequest,
  signForwardedRequest,
  verifyForwardedRequest,
} from "../src/index.ts";

const SECRET = "a-test-secret-that-is-long-enough-to-be-real";
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const encoder = new TextEncoder();
const BODY = encoder.encode('{"messages":[{"role":"user","content":"hi"}]}');
const context: ForwardedContext = {
  chatbotId: "1",
  mode: "default",
  accountNumber: "1234-5678-9012",
  requestId: "req-1",
  clientIp: "203.0.113.9",
  forwardedHost: "bot.botgate.example",
  forwardedProto: "https",
};

/** A nonce store for these tests alone: remembers everything, can be made to fail. */
class RecordingNonces implements NonceStore {
  readonly claims: { nonce: string; ttlSeconds: number }[] = [];
  readonly #seen = new Set<string>();
  failing = false;

  async claim(nonce: string, ttlSeconds: number): Promise<boolean> {
    if (this.failing) throw new Error("store down");
    this.claims.push({ nonce, ttlSeconds });
    if (this.#seen.has(nonce)) return false;
    this.#seen.add(nonce);
    return true;
  }
}

const request = (overrides: Partial<SignedRequest> = {}): SignedRequest => ({
  method: "POST",
  path: "/api/v1/chatbots/rMTAwMDAwMQx/chat/?x=1",
  headers: new Headers({ "x-api-key": "bgk_one", "content-type": "application/json" }),
  body: BODY,
  ...overrides,
});

/** The request as the origin receives it: the edge's headers plus the signed ones. */
async function signedRequest(
  overrides: Partial<ForwardedContext> = {},
  { now = NOW, sent = request() }: { now?: number; sent?: SignedRequest } = {},
): Promise<SignedRequest> {
  const headers = new Headers(sent.headers);
  for (const [name, value] of Object.entries(
    await signForwardedRequest(SECRET, sent, { ...context, ...overrides }, now),
  )) {
    headers.set(name, value);
  }
  return { ...sent, headers };
}

function verify(
  received: SignedRequest,
  { nonces = new RecordingNonces(), now = NOW, secret = SECRET, whenUnavailable = "refuse" } = {} as {
    nonces?: RecordingNonces;
    now?: number;
    secret?: string;
    whenUnavailable?: ReplayCheck["whenUnavailable"];
  },
) {
  return verifyForwardedRequest(secret, received, { replay: { nonces, whenUnavailable }, now });
}

describe("signForwardedRequest / verifyForwardedRequest", () => {
  it("round-trips the context", async () => {
    const result = await verify(await signedRequest());
    expect(result).toEqual({
      ok: true,
      context,
      timestamp: NOW / 1000,
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      replayChecked: true,
    });
  });

  it("sends the SHA-256 of the body it signed", async () => {
    const received = await signedRequest();
    const expected = Buffer.from(await crypto.subtle.digest("SHA-256", BODY)).toString("base64url");
    expect(received.headers.get(FORWARDED_HEADERS.bodyDigest)).toBe(expected);
    expect(await bodyDigest(BODY)).toBe(expected);
  });

  it("leaves empty values out and still verifies them as empty", async () => {
    const received = await signedRequest({ clientIp: "" });
    expect(received.headers.has(FORWARDED_HEADERS.clientIp)).toBe(false);
    const result = await verify(received);
    expect(result.ok && result.context.clientIp).toBe("");
  });

  it("rejects a request without a signature as unsigned", async () => {
    const headers = new Headers({ [FORWARDED_HEADERS.mode]: "default" });
    expect(await verify(request({ headers }))).toEqual({ ok: false, reason: "unsigned" });
  });

  it.each(Object.keys(context) as (keyof ForwardedContext)[])("rejects a tampered %s", async (field) => {
    const received = await signedRequest();
    received.headers.set(FORWARDED_HEADERS[field], `${context[field]}0`);
    expect(await verify(received)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("rejects a header added after signing", async () => {
    const received = await signedRequest({ clientIp: "", forwardedHost: "" });
    received.headers.set(FORWARDED_HEADERS.clientIp, "198.51.100.1");
    expect((await verify(received)).ok).toBe(false);
    const second = await signedRequest({ forwardedHost: "" });
    second.headers.set(FORWARDED_HEADERS.forwardedHost, "evil.example");
    expect(await verify(second)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("never takes the public host or scheme from unsigned X-Forwarded-* headers", async () => {
    const received = await signedRequest({ forwardedHost: "", forwardedProto: "" });
    received.headers.set("x-forwarded-host", "evil.example");
    received.headers.set("x-forwarded-proto", "http");
    const result = await verify(received);
    expect(result.ok && [result.context.forwardedHost, result.context.forwardedProto]).toEqual(["", ""]);
    const signedHost = await signedRequest();
    signedHost.headers.set("x-forwarded-host", "evil.example");
    const withSigned = await verify(signedHost);
    expect(withSigned.ok && withSigned.context.forwardedHost).toBe(context.forwardedHost);
  });

  it("binds the method and the path (query included)", async () => {
    const received = await signedRequest();
    for (const other of [
      { ...received, method: "GET" },
      { ...received, path: "/api/v1/chatbots/rMTAwMDAwMQx/chat/?x=2" },
      { ...received, path: "/api/v1/chatbots/2/chat/?x=1" },
    ]) {
      expect(await verify(other)).toEqual({ ok: false, reason: "bad_signature" });
    }
  });

  it("refuses a body swapped after signing, whether or not the digest header follows", async () => {
    const received = await signedRequest();
    const swapped = encoder.encode('{"messages":[{"role":"user","content":"ho"}]}');
    expect(await verify({ ...received, body: swapped })).toEqual({ ok: false, reason: "body_mismatch" });
    received.headers.set(FORWARDED_HEADERS.bodyDigest, await bodyDigest(swapped));
    expect(await verify({ ...received, body: swapped })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ ...received, body: new Uint8Array() })).toEqual({
      ok: false,
      reason: "body_mismatch",
    });
  });

  it("refuses a credential header changed, added or removed after signing", async () => {
    for (const change of [
      (headers: Headers) => headers.set("x-api-key", "bgk_two"),
      (headers: Headers) => headers.delete("x-api-key"),
      (headers: Headers) => headers.set("authorization", "Bearer bgk_two"),
    ]) {
      const received = await signedRequest();
      change(received.headers);
      expect(await verify(received)).toEqual({ ok: false, reason: "bad_signature" });
    }
    // Other headers are not the signature's business.
    const received = await signedRequest();
    received.headers.set("user-agent", "changed");
    expect((await verify(received)).ok).toBe(true);
  });

  it("rejects another secret's signature", async () => {
    expect(await verify(await signedRequest(), { secret: `${SECRET}x` })).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("rejects a tampered timestamp or nonce", async () => {
    const received = await signedRequest();
    received.headers.set(FORWARDED_HEADERS.timestamp, String(NOW / 1000 + 1));
    expect(await verify(received)).toEqual({ ok: false, reason: "bad_signature" });
    const other = await signedRequest();
    other.headers.set(FORWARDED_HEADERS.nonce, "A".repeat(22));
    expect(await verify(other)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("accepts the allowed clock skew either way and rejects anything beyond it", async () => {
    const skew = MAX_CLOCK_SKEW_SECONDS * 1000;
    for (const signedAt of [NOW - skew, NOW + skew]) {
      expect((await verify(await signedRequest({}, { now: signedAt }))).ok).toBe(true);
    }
    for (const signedAt of [NOW - skew - 1000, NOW + skew + 1000]) {
      expect(await verify(await signedRequest({}, { now: signedAt }))).toEqual({
        ok: false,
        reason: "stale",
      });
    }
  });

  it("refuses a replayed forward, remembering its nonce for the whole validity window", async () => {
    const nonces = new RecordingNonces();
    const received = await signedRequest();
    expect((await verify(received, { nonces })).ok).toBe(true);
    expect(await verify(received, { nonces, now: NOW + 30_000 })).toEqual({ ok: false, reason: "replayed" });
    expect(nonces.claims[0]?.ttlSeconds).toBe(NONCE_TTL_SECONDS);
    expect(NONCE_TTL_SECONDS).toBeGreaterThanOrEqual(2 * MAX_CLOCK_SKEW_SECONDS);
    // Two signatures of the same request carry different nonces.
    expect((await verify(await signedRequest(), { nonces })).ok).toBe(true);
  });

  it("claims no nonce for a forged or stale forward", async () => {
    const nonces = new RecordingNonces();
    await verify(await signedRequest(), { nonces, secret: `${SECRET}x` });
    await verify(await signedRequest({}, { now: NOW - 120_000 }), { nonces });
    expect(nonces.claims).toEqual([]);
  });

  it("refuses when the nonce store fails, unless the caller accepts that", async () => {
    const nonces = new RecordingNonces();
    nonces.failing = true;
    expect(await verify(await signedRequest(), { nonces })).toEqual({
      ok: false,
      reason: "replay_check_unavailable",
    });
    const accepted = await verify(await signedRequest(), { nonces, whenUnavailable: "accept" });
    expect(accepted).toMatchObject({ ok: true, replayChecked: false });
  });

  it.each([
    ["signature", "not base64"],
    ["signature", ""],
    ["timestamp", "12.5"],
    ["timestamp", "-1"],
    ["nonce", "short"],
    ["nonce", ""],
  ] as const)("rejects a malformed %s (%j)", async (header, value) => {
    const received = await signedRequest();
    received.headers.set(FORWARDED_HEADERS[header], value);
    expect(await verify(received)).toEqual({ ok: false, reason: "malformed" });
  });

  it("rejects a forward without a body digest as malformed", async () => {
    const received = await signedRequest();
    received.headers.delete(FORWARDED_HEADERS.bodyDigest);
    expect(await verify(received)).toEqual({ ok: false, reason: "malformed" });
  });

  it("refuses to sign values a header cannot carry", async () => {
    await expect(signForwardedRequest(SECRET, request(), { clientIp: "1.2.3.4\r\nx: y" })).rejects.toThrow(
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
