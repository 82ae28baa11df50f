// A Hono app speaking Upstash's REST protocol in front of an ioredis connection, so the real
// @upstash/redis client can run against a local Redis in development and tests.

import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Redis } from "ioredis";
import { type AllowedCommand, createCommandGate, PRODUCT_COMMANDS } from "./allowed.ts";
import { refuseForeignOrigins, requireToken } from "./auth.ts";
import { parseCommand, parseCommandList, type RedisCommand } from "./command.ts";
import { type Encoding, encodeReply } from "./reply.ts";
import { badRequest, RestError } from "./rest-error.ts";
import { type ItemOutcome, runCommand, runPipeline, runTransaction } from "./run.ts";

export interface UpstashRestAppOptions {
  /** Should be created with `enableOfflineQueue: false` so calls fail fast while Redis is down. */
  redis: Redis;
  token: string;
  /** The commands it runs (default: the product's); everything else is refused with 403. */
  commands?: readonly AllowedCommand[];
  /** Largest accepted request body; default 10 MiB. */
  maxBodyBytes?: number;
}

function encodingOf(c: Context): Encoding {
  return c.req.header("upstash-encoding")?.toLowerCase() === "base64" ? "base64" : "utf8";
}

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("request body is not valid JSON");
  }
}

function outcomesJson(c: Context, outcomes: ItemOutcome[]): Response {
  const encoding = encodingOf(c);
  return c.json(
    outcomes.map((o) => (o.ok ? { result: encodeReply(o.reply, encoding) } : { error: o.error })),
  );
}

/** `/set/foo/bar?EX=100`: path segments, then a POST body (raw bytes), then query pairs. */
async function pathStyleCommand(c: Context): Promise<RedisCommand> {
  const url = new URL(c.req.url);
  let segments: string[];
  try {
    segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw badRequest("path is not valid percent-encoding");
  }
  const [name, ...args] = segments;
  if (name === undefined) throw badRequest("empty command");
  const command: RedisCommand = [name, ...args];
  if (c.req.method !== "GET") {
    const body = Buffer.from(await c.req.arrayBuffer());
    if (body.length > 0) command.push(body);
  }
  for (const [key, value] of url.searchParams) command.push(key, ...(value === "" ? [] : [value]));
  return command;
}

export function createUpstashRestApp({
  redis,
  token,
  commands = PRODUCT_COMMANDS,
  maxBodyBytes = 10 * 1024 * 1024,
}: UpstashRestAppOptions): Hono {
  const app = new Hono();
  const gate = createCommandGate(commands);

  app.onError((err, c) => {
    if (err instanceof RestError) return c.json({ error: err.message }, err.status);
    return c.json({ error: `ERR internal error: ${err.message}` }, 500);
  });
  app.notFound((c) => c.json({ error: "ERR not found" }, 404));

  app.use(refuseForeignOrigins());
  app.use(requireToken(token));
  app.use(
    bodyLimit({ maxSize: maxBodyBytes, onError: (c) => c.json({ error: "ERR request too large" }, 413) }),
  );

  app.post("/", async (c) => {
    const reply = await runCommand(redis, gate, parseCommand(await readJson(c)));
    return c.json({ result: encodeReply(reply, encodingOf(c)) });
  });
  app.post("/pipeline", async (c) =>
    outcomesJson(c, await runPipeline(redis, gate, parseCommandList(await readJson(c)))),
  );
  app.post("/multi-exec", async (c) =>
    outcomesJson(c, await runTransaction(redis, gate, parseCommandList(await readJson(c)))),
  );
  app.on(["GET", "POST", "PUT"], "/*", async (c) => {
    const reply = await runCommand(redis, gate, await pathStyleCommand(c));
    return c.json({ result: encodeReply(reply, encodingOf(c)) });
  });

  return app;
}
