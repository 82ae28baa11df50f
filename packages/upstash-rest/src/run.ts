// Executes validated commands on ioredis and maps failures: a Redis reply error is the
// caller's (400, like Upstash); anything else means Redis itself is unreachable (503).

import { type Redis, ReplyError } from "ioredis";
import type { CommandGate } from "./allowed.ts";
import type { RedisCommand } from "./command.ts";
import { RestError } from "./rest-error.ts";

/** One entry of a /pipeline or /multi-exec answer, before encoding. */
export type ItemOutcome = { ok: true; reply: unknown } | { ok: false; error: string };

const isReplyError = (e: unknown): e is Error => e instanceof ReplyError;

function unavailable(cause: unknown): RestError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new RestError(503, `ERR redis unavailable: ${detail}`);
}

/** Fails fast instead of queueing: the connection uses enableOfflineQueue: false. */
function assertReady(redis: Redis): void {
  if (redis.status !== "ready") throw unavailable(`connection is ${redis.status}`);
}

/** A refused command is the caller's error, as Upstash answers one its ACL denies. */
function admitted(gate: CommandGate, command: RedisCommand): RedisCommand {
  const admission = gate(command);
  if (!admission.ok) throw new RestError(403, admission.error);
  return admission.command;
}

/**
 * ioredis rewrites some replies by exact lower-case command name (HGETALL becomes an object);
 * Upstash answers Redis's raw reply, so send the name upper-cased (Redis ignores case).
 */
function raw([name, ...args]: RedisCommand): RedisCommand {
  return [name.toUpperCase(), ...args];
}

export async function runCommand(redis: Redis, gate: CommandGate, command: RedisCommand): Promise<unknown> {
  const allowed = admitted(gate, command);
  assertReady(redis);
  try {
    return await redis.callBuffer(...raw(allowed));
  } catch (e) {
    throw isReplyError(e) ? new RestError(400, e.message) : unavailable(e);
  }
}

type ExecResult = [error: Error | null, result: unknown][] | null;

/** Per-command outcomes; a transport error anywhere fails the whole request with 503. */
function toOutcomes(results: NonNullable<ExecResult>): ItemOutcome[] {
  return results.map(([error, reply]) => {
    if (error === null) return { ok: true, reply };
    if (isReplyError(error)) return { ok: false, error: error.message };
    throw unavailable(error);
  });
}

/** Not atomic; refused commands get their own error and the others still run. */
export async function runPipeline(
  redis: Redis,
  gate: CommandGate,
  commands: RedisCommand[],
): Promise<ItemOutcome[]> {
  assertReady(redis);
  const pipeline = redis.pipeline();
  const refused = commands.map((command) => {
    const admission = gate(command);
    if (admission.ok) pipeline.callBuffer(...raw(admission.command));
    return admission.ok ? null : admission.error;
  });
  let executed: ItemOutcome[] = [];
  if (pipeline.length > 0) {
    try {
      executed = toOutcomes((await pipeline.exec()) ?? []);
    } catch (e) {
      throw e instanceof RestError ? e : unavailable(e);
    }
  }
  return refused.map((reason) => (reason === null ? executed.shift()! : { ok: false, error: reason }));
}

/** MULTI/EXEC: a refused command (403) or a queueing error (400) discards the whole transaction. */
export async function runTransaction(
  redis: Redis,
  gate: CommandGate,
  commands: RedisCommand[],
): Promise<ItemOutcome[]> {
  const allowed = commands.map((command) => admitted(gate, command));
  assertReady(redis);
  const multi = redis.multi();
  for (const command of allowed) multi.callBuffer(...raw(command));
  let results: ExecResult;
  try {
    results = await multi.exec();
  } catch (e) {
    if (!isReplyError(e)) throw unavailable(e);
    // EXECABORT alone does not say which command was wrong; ioredis keeps the queueing errors.
    const previous = (e as { previousErrors?: Error[] }).previousErrors?.[0]?.message;
    throw new RestError(400, previous === undefined ? e.message : `${e.message} ${previous}`);
  }
  if (results === null) throw new RestError(400, "ERR transaction aborted");
  return toOutcomes(results);
}
