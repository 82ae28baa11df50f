// Edge → origin request signing. The edge puts what it resolved (chatbot, mode, account,
// request id, client IP, the public host and scheme) in X-Botgate-* headers plus an
// HMAC-SHA256 over those values, the method, the path (with query), a timestamp, a random
// nonce, the SHA-256 of the exact body bytes and the credential headers the origin reads.
// The origin believes those values only when the signature verifies against the bytes and
// headers it actually received, the timestamp is fresh and the nonce was never seen within
// the validity window. SHA-256 and HMAC come from @noble/hashes (audited, pure JS,
// synchronous): the same code runs in workerd (signing) and Node (verifying), and in Node each
// WebCrypto call would be a round trip through the thread pool on every chat request.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";

export const FORWARDED_HEADER_PREFIX = "x-botgate-";

export const FORWARDED_HEADERS = {
  chatbotId: "x-botgate-chatbot-id",
  mode: "x-botgate-mode",
  accountNumber: "x-botgate-account-number",
  requestId: "x-botgate-request-id",
  clientIp: "x-botgate-client-ip",
  forwardedHost: "x-botgate-forwarded-host",
  forwardedProto: "x-botgate-forwarded-proto",
  timestamp: "x-botgate-timestamp",
  nonce: "x-botgate-nonce",
  bodyDigest: "x-botgate-body-sha256",
  signature: "x-botgate-signature",
} as const;

/**
 * The request headers the origin reads credentials from (origin/access.ts): signed as sent,
 * so a captured forward cannot be replayed with another API key or token.
 */
export const CREDENTIAL_HEADERS = ["authorization", "x-api-key"] as const;

// LOCAL_DEVELOPMENT_SECRET and the rule for when it may be used (both apps' env.ts apply it).
export * from "./edge-secret.ts";

/** How far the signer's and the verifier's clocks (plus transit) may disagree, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/**
 * How long a nonce must be remembered: a signature is accepted from timestamp − skew to
 * timestamp + skew, and the timestamp is rounded down to the second.
 */
export const NONCE_TTL_SECONDS = 2 * MAX_CLOCK_SKEW_SECONDS + 1;

/** Changing what is signed changes this, so old and new signers never verify each other. */
const CANONICAL_VERSION = "botgate-forward-v2";

/** What the edge vouches for. "" means "not applicable" (e.g. no client IP, or /internal/resolve). */
export interface ForwardedContext {
  chatbotId: string;
  mode: string;
  accountNumber: string;
  requestId: string;
  clientIp: string;
  /** The public host the client addressed (the origin records the chat's URL from it). */
  forwardedHost: string;
  /** "https" or "http". */
  forwardedProto: string;
}

const CONTEXT_FIELDS = [
  "chatbotId",
  "mode",
  "accountNumber",
  "requestId",
  "clientIp",
  "forwardedHost",
  "forwardedProto",
] as const;

const emptyContext = (): ForwardedContext => ({
  chatbotId: "",
  mode: "",
  accountNumber: "",
  requestId: "",
  clientIp: "",
  forwardedHost: "",
  forwardedProto: "",
});

export interface SignedRequest {
  method: string;
  /** Pathname plus search, exactly as the verifier will see it (`url.pathname + url.search`). */
  path: string;
  /** The headers as sent: the credential headers among them are signed. */
  headers: Headers;
  /** The exact body bytes sent (empty for none). */
  body: Uint8Array;
}

/**
 * Remembers nonces for the replay check. `claim` is atomic: true the first time a nonce is
 * claimed within `ttlSeconds`, false after. It throws when the store cannot answer.
 */
export interface NonceStore {
  claim(nonce: string, ttlSeconds: number): Promise<boolean>;
}

export interface ReplayCheck {
  nonces: NonceStore;
  /**
   * What a store failure means: "refuse" answers `replay_check_unavailable`; "accept" lets a
   * signed, fresh request through unchecked (for idempotent reads only).
   */
  whenUnavailable: "refuse" | "accept";
}

export type ForwardRefusal =
  /** X-Botgate-* headers without a signature. */
  | "unsigned"
  | "malformed"
  /** Outside the allowed clock skew. */
  | "stale"
  | "bad_signature"
  /** The body is not the one the edge signed (X-Botgate-Body-SHA256 disagrees with the bytes). */
  | "body_mismatch"
  /** This signature's nonce was already used. */
  | "replayed"
  | "replay_check_unavailable";

export type ForwardVerification =
  | {
      ok: true;
      context: ForwardedContext;
      timestamp: number;
      nonce: string;
      /** False when the nonce store failed and the ReplayCheck said "accept". */
      replayChecked: boolean;
    }
  | { ok: false; reason: ForwardRefusal };

const encoder = new TextEncoder();

// One or two secrets per process (two while rotating): no eviction needed.
const keys = new Map<string, Uint8Array>();

function hmacKey(secret: string): Uint8Array {
  if (secret.length === 0) throw new Error("the forwarding secret must not be empty");
  let key = keys.get(secret);
  if (key === undefined) {
    key = encoder.encode(secret);
    keys.set(secret, key);
  }
  return key;
}

/** Whether two byte strings are equal, in a time that does not depend on where they differ. */
function equalInConstantTime(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return difference === 0;
}

// Return types are inferred on purpose: workerd's, Node's and the DOM's typings disagree on
// BufferSource, and each compiles this file with its own.

function toBase64Url(bytes: ArrayBuffer | Uint8Array): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null; // 32 bytes, unpadded
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** SHA-256 of the body, base64url: what X-Botgate-Body-SHA256 carries. */
export async function bodyDigest(body: Uint8Array): Promise<string> {
  return toBase64Url(sha256(body));
}

const NONCE_PATTERN = /^[A-Za-z0-9_-]{22}$/; // 16 random bytes, unpadded base64url

function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

interface CanonicalParts {
  method: string;
  path: string;
  headers: Headers;
  timestamp: string;
  nonce: string;
  digest: string;
  context: ForwardedContext;
}

/** JSON of an array: unambiguous whatever the values contain, and identical in both runtimes. */
function canonical({ method, path, headers, timestamp, nonce, digest, context }: CanonicalParts) {
  return encoder.encode(
    JSON.stringify([
      CANONICAL_VERSION,
      method.toUpperCase(),
      path,
      timestamp,
      nonce,
      digest,
      CREDENTIAL_HEADERS.map((name) => headers.get(name)),
      ...CONTEXT_FIELDS.map((field) => context[field]),
    ]),
  );
}

/** The headers to add to a forwarded request (empty context values are left out). */
export async function signForwardedRequest(
  secret: string,
  request: SignedRequest,
  context: Partial<ForwardedContext>,
  now: number = Date.now(),
): Promise<Record<string, string>> {
  const full = emptyContext();
  const headers: Record<string, string> = {};
  for (const field of CONTEXT_FIELDS) {
    const value = context[field] ?? "";
    // Header values cannot carry these; refusing them keeps signer and verifier in agreement.
    if (/[\r\n\0]/.test(value)) throw new Error(`forwarded ${field} contains a control character`);
    full[field] = value;
    if (value !== "") headers[FORWARDED_HEADERS[field]] = value;
  }
  const timestamp = String(Math.floor(now / 1000));
  const nonce = newNonce();
  const digest = await bodyDigest(request.body);
  const signature = hmac(
    sha256,
    hmacKey(secret),
    canonical({ ...request, timestamp, nonce, digest, context: full }),
  );
  headers[FORWARDED_HEADERS.timestamp] = timestamp;
  headers[FORWARDED_HEADERS.nonce] = nonce;
  headers[FORWARDED_HEADERS.bodyDigest] = digest;
  headers[FORWARDED_HEADERS.signature] = toBase64Url(signature);
  return headers;
}

/** Whether a request claims to come from the edge: any X-Botgate-* header does. */
export function claimsForwarding(headers: Headers): boolean {
  for (const name of headers.keys()) if (name.toLowerCase().startsWith(FORWARDED_HEADER_PREFIX)) return true;
  return false;
}

/**
 * Checks a forward against the bytes and headers actually received. Only signed values come
 * back in `context`: headers such as X-Forwarded-Host are never read, whoever set them.
 */
export async function verifyForwardedRequest(
  secret: string,
  request: SignedRequest,
  {
    replay,
    now = Date.now(),
    maxSkewSeconds = MAX_CLOCK_SKEW_SECONDS,
  }: { replay: ReplayCheck; now?: number; maxSkewSeconds?: number },
): Promise<ForwardVerification> {
  const { headers } = request;
  const signatureText = headers.get(FORWARDED_HEADERS.signature);
  const timestampText = headers.get(FORWARDED_HEADERS.timestamp);
  if (signatureText === null || timestampText === null) return { ok: false, reason: "unsigned" };
  const signature = fromBase64Url(signatureText.trim());
  const nonce = headers.get(FORWARDED_HEADERS.nonce) ?? "";
  const claimedDigest = headers.get(FORWARDED_HEADERS.bodyDigest);
  if (
    signature === null ||
    claimedDigest === null ||
    !/^\d{1,12}$/.test(timestampText) ||
    !NONCE_PATTERN.test(nonce)
  ) {
    return { ok: false, reason: "malformed" };
  }
  const digest = await bodyDigest(request.body);
  // The signature is over the digest of the bytes read here, not over the header's claim.
  if (claimedDigest !== digest) return { ok: false, reason: "body_mismatch" };

  const context = emptyContext();
  for (const field of CONTEXT_FIELDS) context[field] = headers.get(FORWARDED_HEADERS[field]) ?? "";
  const expected = hmac(
    sha256,
    hmacKey(secret),
    canonical({ ...request, timestamp: timestampText, nonce, digest, context }),
  );
  const valid = equalInConstantTime(expected, signature);
  if (!valid) return { ok: false, reason: "bad_signature" };
  // Checked after the signature: a stale answer then tells nothing to someone without the secret.
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > maxSkewSeconds) return { ok: false, reason: "stale" };
  // Last, so only genuine signatures occupy the store.
  try {
    if (!(await replay.nonces.claim(nonce, NONCE_TTL_SECONDS))) return { ok: false, reason: "replayed" };
  } catch {
    if (replay.whenUnavailable === "refuse") return { ok: false, reason: "replay_check_unavailable" };
    return { ok: true, context, timestamp, nonce, replayChecked: false };
  }
  return { ok: true, context, timestamp, nonce, replayChecked: true };
}
