// Request bodies: one command is a JSON array `["SET", "k", "v", "EX", 10]`; /pipeline and
// /multi-exec take an array of those. Arguments may be strings, numbers or booleans (the
// official client sends booleans unchanged, e.g. `set(k, true)`); Redis receives them as strings.

import { badRequest } from "./rest-error.ts";

/** Command name first, then its arguments; Buffers carry binary path-style POST bodies. */
export type RedisCommand = [name: string, ...args: (string | Buffer)[]];

export function parseCommand(value: unknown, where = "command"): RedisCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest(`${where} must be a non-empty JSON array`);
  }
  const [name, ...rest] = value as unknown[];
  if (typeof name !== "string" || name.length === 0) {
    throw badRequest(`${where} must start with the command name`);
  }
  const args = rest.map((arg, i) => {
    if (typeof arg === "string") return arg;
    if ((typeof arg === "number" && Number.isFinite(arg)) || typeof arg === "boolean") return String(arg);
    throw badRequest(`${where} argument ${i + 1} must be a string, a finite number or a boolean`);
  });
  return [name, ...args];
}

export function parseCommandList(value: unknown): RedisCommand[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw badRequest("body must be a non-empty JSON array of commands");
  }
  return value.map((command, i) => parseCommand(command, `command ${i + 1}`));
}

// One ioredis connection is shared by every request: commands that block it, switch it into
// pub/sub or change its state (database, transaction, auth) would leak into other requests.
const REFUSED = new Set([
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
  "subscribe",
  "psubscribe",
  "ssubscribe",
  "unsubscribe",
  "punsubscribe",
  "sunsubscribe",
  "monitor",
  "select",
  "auth",
  "hello",
  "quit",
  "reset",
  "client",
  "multi",
  "exec",
  "discard",
  "watch",
  "unwatch",
]);

/** Why this endpoint will not run the command, or null when it will. */
export function refusal([name, ...args]: RedisCommand): string | null {
  const lower = name.toLowerCase();
  const blockingRead =
    (lower === "xread" || lower === "xreadgroup") &&
    args.some((a) => typeof a === "string" && a.toLowerCase() === "block");
  return REFUSED.has(lower) || blockingRead
    ? `ERR command '${lower}' is not supported by this endpoint (blocking, pub/sub or connection state)`
    : null;
}
