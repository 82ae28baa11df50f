import type { MiddlewareHandler } from "hono";
import { timingSafeEqual } from "hono/utils/buffer";

/**
 * Upstash accepts `Authorization: Bearer <token>` or a `_token` query parameter. Anything else
 * is 401 with a JSON body (hono's bearerAuth answers 400 for a non-Bearer header, which the
 * Upstash protocol does not).
 */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const given = header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? c.req.query("_token");
    if (given === undefined || !(await timingSafeEqual(given, token))) {
      return c.json({ error: "Unauthorized" }, 401);
    }
    await next();
  };
}
