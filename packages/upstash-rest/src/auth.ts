import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";

/**
 * `Authorization: Bearer <token>` only. Upstash also takes a `_token` query parameter, but the
 * official client never sends one, and a token in a URL is one a web page can use (an image or
 * link needs no CORS): a request naming `_token` is refused. Anything else is 401 with a JSON
 * body (hono's bearerAuth answers 400 for a non-Bearer header, which Upstash does not).
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const given = c.req.header("authorization")?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (c.req.query("_token") !== undefined) {
      return c.json(
        { error: "Unauthorized: send the token in the Authorization header, not as _token" },
        401,
      );
    }
    if (given === undefined || !(await timingSafeEqual(given, token))) {
      return c.json({ error: "Unauthorized" }, 401);
    }
    await next();
  };
}

/** 127.0.0.0/8, ::1 and `localhost` itself (not `*.localhost`: chatbot pages live there). */
function isLoopbackOrigin(origin: string): boolean {
  let hostname: string;
  try {
    hostname = new URL(origin).hostname;
  } catch {
    return false;
  }
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Its clients (Node, workerd) send no Origin; a browser sends one with every cross-origin
 * fetch and every POST, a DNS-rebound page's included. So a page on another site cannot drive
 * the endpoint, and no CORS header is ever answered (a preflight fails too).
 */
export function refuseForeignOrigins(): MiddlewareHandler {
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !isLoopbackOrigin(origin)) {
      return c.json({ error: "ERR requests from web pages of other sites are refused" }, 403);
    }
    await next();
  };
}
