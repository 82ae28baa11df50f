// Edge → origin request signing. The edge puts what it resolved (chatbot, mode, account,
// request id, client IP) in X-Botgate-* headers plus an HMAC-SHA256 over those values, the
// method, the path (with query) and a timestamp. The origin believes those values only when
// the signature verifies and the timestamp is fresh. WebCrypto only, no dependencies: the
// same code runs in workerd (signing) and Node 20 (verifying).

export const FORWARDED_HEADER_PREFIX = "x-botgate-";

export const FORWARDED_HEADERS = {
  chatbotId: "x-botgate-chatbot-id",
  mode: "x-botgate-mode",
  accountNumber: "x-botgate-account-number",
  requestId: "x-botgate-request-id",
  clientIp: "x-botgate-client-ip",
  timestamp: "x-botgate-timestamp",
  signature: "x-botgate-signature",
} as const;

// LOCAL_DEVELOPMENT_SECRET and the rule for when it may be used (both apps' env.ts apply it).
export * from "./edge-secret.ts";

/** How far the signer's and the verifier's clocks (plus transit) may disagree, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 60;

/** What the edge vouches for. "" means "not applicable" (e.g. no client IP, or /internal/resolve). */
export interface ForwardedContext {
  chatbotId: string;
  mode: string;
  accountNumber: string;
  requestId: string;
  clientIp: string;
}

const CONTEXT_FIELDS = ["chatbotId", "mode", "accountNumber", "requestId", "clientIp"] as const;

export interface SignedRequest {
  method: string;
  /** Pathname plus search, exactly as the verifier will see it (`url.pathname + url.search`). */
  path: string;
}

export type ForwardVerification =
  | { ok: true; context: ForwardedContext; timestamp: number }
  | {
      ok: false;
      /** unsigned: X-Botgate-* headers without a signature; stale: outside the clock skew. */
      reason: "unsigned" | "malformed" | "stale" | "bad_signature";
    };

const encoder = new TextEncoder();

const importHmacKey = (secret: string) =>
  crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);

// One or two secrets per process (two while rotating): no eviction needed.
const keys = new Map<string, ReturnType<typeof importHmacKey>>();

function hmacKey(secret: string): ReturnType<typeof importHmacKey> {
  if (secret.length === 0) throw new Error("the forwarding secret must not be empty");
  let key = keys.get(secret);
  if (key === undefined) {
    key = importHmacKey(secret);
    keys.set(secret, key);
  }
  return key;
}

// Return types are inferred on purpose: workerd's, Node's and the DOM's typings disagree on
// BufferSource, and each compiles this file with its own.

/** JSON of an array: unambiguous whatever the values contain, and identical in both runtimes. */
function canonical(request: SignedRequest, timestamp: string, context: ForwardedContext) {
  const fields = CONTEXT_FIELDS.map((field) => context[field]);
  return encoder.encode(
    JSON.stringify(["botgate-forward-v1", request.method.toUpperCase(), request.path, timestamp, ...fields]),
  );
}

function toBase64Url(bytes: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string) {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null; // 32 bytes, unpadded
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** The headers to add to a forwarded request (empty context values are left out). */
export async function signForwardedRequest(
  secret: string,
  request: SignedRequest,
  context: Partial<ForwardedContext>,
  now: number = Date.now(),
): Promise<Record<string, string>> {
  const full: ForwardedContext = { chatbotId: "", mode: "", accountNumber: "", requestId: "", clientIp: "" };
  const headers: Record<string, string> = {};
  for (const field of CONTEXT_FIELDS) {
    const value = context[field] ?? "";
    // Header values cannot carry these; refusing them keeps signer and verifier in agreement.
    if (/[\r\n\0]/.test(value)) throw new Error(`forwarded ${field} contains a control character`);
    full[field] = value;
    if (value !== "") headers[FORWARDED_HEADERS[field]] = value;
  }
  const timestamp = String(Math.floor(now / 1000));
  const signature = await crypto.subtle.sign(
    "HMAC",
    await hmacKey(secret),
    canonical(request, timestamp, full),
  );
  headers[FORWARDED_HEADERS.timestamp] = timestamp;
  headers[FORWARDED_HEADERS.signature] = toBase64Url(signature);
  return headers;
}

/** Whether a request claims to come from the edge: any X-Botgate-* header does. */
export function claimsForwarding(headers: Headers): boolean {
  for (const name of headers.keys()) if (name.toLowerCase().startsWith(FORWARDED_HEADER_PREFIX)) return true;
  return false;
}

export async function verifyForwardedRequest(
  secret: string,
  request: SignedRequest & { headers: Headers },
  {
    now = Date.now(),
    maxSkewSeconds = MAX_CLOCK_SKEW_SECONDS,
  }: { now?: number; maxSkewSeconds?: number } = {},
): Promise<ForwardVerification> {
  const { headers } = request;
  const signatureText = headers.get(FORWARDED_HEADERS.signature);
  const timestampText = headers.get(FORWARDED_HEADERS.timestamp);
  if (signatureText === null || timestampText === null) return { ok: false, reason: "unsigned" };
  const signature = fromBase64Url(signatureText.trim());
  if (signature === null || !/^\d{1,12}$/.test(timestampText)) return { ok: false, reason: "malformed" };

  const context: ForwardedContext = {
    chatbotId: "",
    mode: "",
    accountNumber: "",
    requestId: "",
    clientIp: "",
  };
  for (const field of CONTEXT_FIELDS) context[field] = headers.get(FORWARDED_HEADERS[field]) ?? "";
  // crypto.subtle.verify compares in constant time.
  const valid = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret),
    signature,
    canonical(request, timestampText, context),
  );
  if (!valid) return { ok: false, reason: "bad_signature" };
  // Checked after the signature: a stale answer then tells nothing to someone without the secret.
  const timestamp = Number(timestampText);
  if (Math.abs(now / 1000 - timestamp) > maxSkewSeconds) return { ok: false, reason: "stale" };
  return { ok: true, context, timestamp };
}
