// POST /operator/commands: the operator CLI's commands, run by this process on its own
// database connection, for a CLI that cannot open the embedded database this process holds.
// Loopback callers only, with the per-start token published in DATA_DIR/operator.json; no
// browser (a request with an Origin is refused), no CORS.
import { createHash, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import { BotgateError } from "@botgate/core";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import superjson from "superjson";
import { z } from "zod";
import { operatorError, runCommandInApi } from "../cli.ts";
import { OPERATOR_PATH } from "../operator/remote.ts";
import type { Runtime } from "../runtime.ts";

const operatorRequest = z.object({
  command: z.string().max(100),
  args: z.array(z.string().max(10_000)).max(100),
});

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || (isIP(v4) === 4 && v4.startsWith("127."));
}

const digest = (value: string) => createHash("sha256").update(value).digest();

function requireOperator(c: Context, token: string): void {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    remote = undefined;
  }
  if (!isLoopback(remote) || c.req.header("origin") !== undefined) {
    throw new BotgateError("FORBIDDEN", "the operator endpoint answers local programs only");
  }
  const given = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1] ?? "";
  // Digests first: equal lengths for timingSafeEqual, and nothing learnt from the length.
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new BotgateError("UNAUTHORIZED", "missing or wrong operator token (see DATA_DIR/operator.json)");
  }
}

export function operatorRoutes(runtime: Runtime) {
  const token = runtime.operatorToken;
  const routes = new Hono();
  if (token === undefined) return routes;
  return routes.post(
    OPERATOR_PATH,
    bodyLimit({
      maxSize: 64 * 1024,
      onError: (c) => c.json(new BotgateError("PAYLOAD_TOO_LARGE", "command too large").toBody(), 413),
    }),
    async (c) => {
      requireOperator(c, token);
      const parsed = operatorRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) throw new BotgateError("BAD_REQUEST", "expected { command, args }");
      try {
        const result = await runCommandInApi(
          { db: runtime.db, url: runtime.databaseUrl, routes: runtime.routes },
          parsed.data.command,
          parsed.data.args,
        );
        return c.body(superjson.stringify({ result }), 200, { "Content-Type": "application/json" });
      } catch (error) {
        throw operatorError(error) ?? error;
      }
    },
  );
}
