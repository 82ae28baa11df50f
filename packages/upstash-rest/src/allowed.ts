// What this endpoint runs: the commands the product sends through @upstash/redis and nothing
// else, so its token is not a key to the machine's whole Redis (FLUSHALL, CONFIG, KEYS,
// arbitrary Lua). Blocking, pub/sub and connection-state commands are never allowed: one ioredis
// connection serves every request.
import type { RedisCommand } from "./command.ts";
import { type KnownScripts, RATELIMIT_SCRIPTS } from "./scripts.ts";

/**
 * packages/cache's route store (GET, pipelined SET with EX/NX, multi-key DEL), the origin's
 * replay-nonce store (SET NX EX) and @upstash/ratelimit (EVALSHA, falling back to EVAL, of its
 * own scripts only).
 */
export const PRODUCT_COMMANDS = [
  "GET",
  "SET",
  "DEL",
  "EXPIRE",
  "PEXPIRE",
  "MGET",
  "EVALSHA",
  "EVAL",
] as const;

/** Read-only inspection test suites use to check what the product wrote; never in development. */
export const INSPECTION_COMMANDS = ["EXISTS", "TTL", "PTTL", "SCAN", "PING"] as const;

/** The product's commands plus inspection: for test harnesses. */
export const TEST_COMMANDS = [...PRODUCT_COMMANDS, ...INSPECTION_COMMANDS] as const;

export type AllowedCommand = (typeof TEST_COMMANDS)[number];

/** A command to send to Redis (possibly rewritten), or why it is refused. */
export type Admission = { ok: true; command: RedisCommand } | { ok: false; error: string };

export type CommandGate = (command: RedisCommand) => Admission;

export function createCommandGate(
  allowed: readonly AllowedCommand[],
  scripts: KnownScripts = RATELIMIT_SCRIPTS(),
): CommandGate {
  const names = new Set<string>(allowed.map((name) => name.toLowerCase()));
  return (command) => {
    const name = command[0].toLowerCase();
    if (!names.has(name)) {
      return { ok: false, error: `ERR command '${name}' is not allowed on this endpoint` };
    }
    if (name !== "eval" && name !== "evalsha") return { ok: true, command };
    const rewritten = scripts.forRedis(command);
    return rewritten === null
      ? { ok: false, error: `ERR only @upstash/ratelimit's own scripts may run on this endpoint` }
      : { ok: true, command: rewritten };
  };
}
