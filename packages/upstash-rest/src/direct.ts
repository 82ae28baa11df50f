// Upstash's protocol without the HTTP hop: a requester for the official @upstash/redis client
// (`new Redis(requester)`) that runs each command on an ioredis connection of this process,
// through the same command gate (the product's commands; @upstash/ratelimit's own scripts, the
// Upstash-only shebang flag dropped) and the same reply encoding as the REST endpoint. Code
// written for @upstash/redis, @upstash/ratelimit above all, can then use a Redis protocol
// connection where the process has one (REDIS_URL): one TCP round trip instead of an HTTP
// request.
import type { Requester, UpstashRequest, UpstashResponse } from "@upstash/redis";
import type { Redis } from "ioredis";
import { type AllowedCommand, createCommandGate, PRODUCT_COMMANDS } from "./allowed.ts";
import { parseCommand, parseCommandList } from "./command.ts";
import { encodeReply } from "./reply.ts";
import { RestError } from "./rest-error.ts";
import { type ItemOutcome, runCommand, runPipeline, runTransaction } from "./run.ts";

export interface DirectRequesterOptions {
  /** Should be opened with openRedisConnection() (fails fast while Redis is down). */
  redis: Redis;
  /** The commands it runs (default: the product's); anything else answers an error. */
  commands?: readonly AllowedCommand[];
}

const outcomes = (items: ItemOutcome[]) =>
  items.map((o) => (o.ok ? { result: encodeReply(o.reply, "utf8") } : { error: o.error }));

/**
 * A refused command or a Redis reply error is the command's error (the client throws
 * UpstashError with it, as over HTTP); Redis being unreachable rejects, as a failed request.
 * Pipelines and transactions answer the array of per-command outcomes, as the REST body is.
 */
export function directRequester({ redis, commands = PRODUCT_COMMANDS }: DirectRequesterOptions): Requester {
  const gate = createCommandGate(commands);
  const request = async (req: UpstashRequest): Promise<UpstashResponse<unknown> | unknown[]> => {
    const [route] = req.path ?? [];
    try {
      if (route === "pipeline") return outcomes(await runPipeline(redis, gate, parseCommandList(req.body)));
      if (route === "multi-exec") {
        return outcomes(await runTransaction(redis, gate, parseCommandList(req.body)));
      }
      if (route !== undefined) return { error: `ERR ${route} is not supported here` };
      return { result: encodeReply(await runCommand(redis, gate, parseCommand(req.body)), "utf8") };
    } catch (error) {
      if (error instanceof RestError && error.status < 500) return { error: error.message };
      throw error;
    }
  };
  return { request: request as Requester["request"] };
}
