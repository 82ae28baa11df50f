// Who is calling the origin. A request that carries any X-Botgate-* header claims to be a
// forward from the edge: it must carry a valid, fresh signature over those headers, or it is
// refused outright (never downgraded to a direct call, so the headers are never half-used).
// Any other request is a direct call, and its claims about modes, accounts or client IPs
// simply do not exist.
import { BotgateError, CHATBOT_MODES, type ChatbotMode } from "@botgate/core";
import { claimsForwarding, type ForwardedContext, verifyForwardedRequest } from "@botgate/forwarding";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";

export type OriginCaller =
  | { kind: "edge"; context: ForwardedContext }
  | { kind: "direct"; clientIp: string | null };

const REFUSALS = {
  unsigned: ["UNAUTHORIZED", "This forwarded request is not signed."],
  stale: ["UNAUTHORIZED", "This forwarded request's signature has expired."],
  malformed: ["FORBIDDEN", "This forwarded request's signature is malformed."],
  bad_signature: ["FORBIDDEN", "This forwarded request's signature is not valid."],
} as const;

export async function identifyCaller(c: Context, secret: string): Promise<OriginCaller> {
  const headers = c.req.raw.headers;
  if (!claimsForwarding(headers)) return { kind: "direct", clientIp: socketAddress(c) };
  const url = new URL(c.req.url);
  const verification = await verifyForwardedRequest(secret, {
    method: c.req.method,
    path: url.pathname + url.search,
    headers,
  });
  if (!verification.ok) {
    const [code, message] = REFUSALS[verification.reason];
    throw new BotgateError(code, message, { reason: verification.reason });
  }
  return { kind: "edge", context: verification.context };
}

/** /internal/* is for the edge alone. */
export async function requireEdge(c: Context, secret: string): Promise<ForwardedContext> {
  const caller = await identifyCaller(c, secret);
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
