// Who is calling the origin. A request that carries any X-Botgate-* header claims to be a
// forward from the edge: it must carry a valid, fresh, never-seen signature over those
// headers, the body bytes read here and the credential headers, or it is refused outright
// (never downgraded to a direct call, so the headers are never half-used). Any other request
// is a direct call, and its claims about modes, accounts or client IPs simply do not exist.
// X-Forwarded-* headers are never read: a forward's public host and scheme are signed fields,
// and a direct call has none. (Ignored rather than refused, because a load balancer in front
// of the origin adds X-Forwarded-For/Proto to every request.)
import { BotgateError, CHATBOT_MODES, type ChatbotMode, type ErrorCode } from "@botgate/core";
import {
  claimsForwarding,
  type ForwardedContext,
  type ForwardRefusal,
  type NonceStore,
  type ReplayCheck,
  verifyForwardedRequest,
} from "@botgate/forwarding";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

export type OriginCaller =
  | { kind: "edge"; context: ForwardedContext }
  | { kind: "direct"; clientIp: string | null };

const REFUSALS: Record<ForwardRefusal, readonly [ErrorCode, string]> = {
  unsigned: ["UNAUTHORIZED", "This forwarded request is not signed."],
  stale: ["UNAUTHORIZED", "This forwarded request's signature has expired."],
  replayed: ["UNAUTHORIZED", "This forwarded request's signature was already used."],
  malformed: ["FORBIDDEN", "This forwarded request's signature is malformed."],
  bad_signature: ["FORBIDDEN", "This forwarded request's signature is not valid."],
  body_mismatch: ["FORBIDDEN", "This forwarded request's body is not the one that was signed."],
  replay_check_unavailable: ["UNAVAILABLE", "This forwarded request cannot be checked right now."],
};

/** What the origin needs to check forwards (a slice of the Runtime). */
export interface ForwardVerifier {
  edgeSecret: string;
  forwardNonces: NonceStore;
}

/**
 * When the nonce store (Redis) cannot answer: forwarded chat requests are refused (fail
 * closed, 503), since they spend provider money and write records under the edge's word.
 * /internal/resolve passes "accept" (see requireEdge).
 */
export async function identifyCaller(
  c: Context,
  verifier: ForwardVerifier,
  whenNoncesUnavailable: ReplayCheck["whenUnavailable"] = "refuse",
): Promise<OriginCaller> {
  const headers = c.req.raw.headers;
  if (!claimsForwarding(headers)) return { kind: "direct", clientIp: socketAddress(c) };
  const url = new URL(c.req.url);
  const verification = await verifyForwardedRequest(
    verifier.edgeSecret,
    {
      method: c.req.method,
      path: url.pathname + url.search,
      headers,
      // Hono caches these bytes: the handler later parses exactly what was verified.
      body: new Uint8Array(await c.req.arrayBuffer()),
    },
    { replay: { nonces: verifier.forwardNonces, whenUnavailable: whenNoncesUnavailable } },
  );
  if (!verification.ok) {
    const [code, message] = REFUSALS[verification.reason];
    throw new BotgateError(code, message, { reason: verification.reason });
  }
  if (!verification.replayChecked) {
    console.warn(`[${c.get("requestId")}] nonce store unavailable: forward accepted without replay check`);
  }
  // The edge's request id names this request in logs, records and error bodies from here on.
  const { requestId } = verification.context;
  if (requestId !== "") {
    c.set("requestId", requestId);
    c.header("X-Request-Id", requestId);
  }
  return { kind: "edge", context: verification.context };
}

/**
 * /internal/* is for the edge alone. A resolve is an idempotent read of routing facts the
 * edge is entitled to, and the edge leans on it precisely when Redis (its L2, and the nonce
 * store) is down: refusing then would take every host offline, while a replay within the
 * signature's 60 s window could only re-ask the same target. So a nonce-store failure is
 * accepted here (signature and freshness still required); replays are refused when Redis answers.
 */
export async function requireEdge(c: Context, verifier: ForwardVerifier): Promise<ForwardedContext> {
  const caller = await identifyCaller(c, verifier, "accept");
  if (caller.kind !== "edge") {
    throw new BotgateError("UNAUTHORIZED", "This endpoint answers signed edge requests only.", {
      reason: "unsigned",
    });
  }
  return caller.context;
}

/** The mode the edge derived; a signed but unknown mode is a bug at the edge, never trusted. */
export function forwardedMode(context: ForwardedContext): Exclude<ChatbotMode, "unknown"> {
  const mode = CHATBOT_MODES.find((m) => m === context.mode);
  if (mode === undefined || mode === "unknown") {
    throw new BotgateError("FORBIDDEN", "The forwarded mode is not valid.", { reason: "mode" });
  }
  return mode;
}

function socketAddress(c: Context): string | null {
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // Not served by @hono/node-server (e.g. app.request() in tests): no socket to ask.
    return null;
  }
}
