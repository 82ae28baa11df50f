// What the chat origin accepts, bounded by the configured limits. Every query and body
// parameter goes through one of these schemas; a problem is a 400 with field errors.
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import type { Env } from "../env.ts";
import { SESSION_KEY_PATTERN } from "./sessions.ts";

export interface ChatLimits {
  maxMessagesPerCall: number;
  maxMessageChars: number;
  maxTurnsPerSession: number;
  historyPageSize: number;
  streamIdleMs: number;
  streamPingMs: number;
}

export const chatLimitsOf = (env: Env): ChatLimits => ({
  maxMessagesPerCall: env.CHAT_MAX_MESSAGES_PER_CALL,
  maxMessageChars: env.CHAT_MAX_MESSAGE_CHARS,
  maxTurnsPerSession: env.CHAT_MAX_TURNS_PER_SESSION,
  historyPageSize: env.CHAT_HISTORY_PAGE_SIZE,
  streamIdleMs: env.CHAT_STREAM_IDLE_TIMEOUT_MS,
  streamPingMs: env.CHAT_STREAM_PING_MS,
});

/** ChatHistory.id is a Postgres integer; a cursor names the oldest message already shown. */
const MAX_ID = 2_147_483_647;

const sessionKey = z.string().regex(SESSION_KEY_PATTERN, "must be 64 lower-case hex characters");
const historyCursor = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, "must be a next_cursor from an earlier answer")
  .transform(Number)
  .refine((id) => id <= MAX_ID, "must be a next_cursor from an earlier answer");

export function originInputs(limits: ChatLimits) {
  const message = z.object({
    role: z.enum(["system", "user", "assistant"]),
    content: z
      .string()
      .max(limits.maxMessageChars, `each message has at most ${limits.maxMessageChars} characters`),
  });
  const messages = z
    .array(message)
    .min(1, "at least one message is required")
    .max(limits.maxMessagesPerCall, `at most ${limits.maxMessagesPerCall} messages per call`);
  return {
    config: z.object({ session_key: sessionKey.nullish(), history_cursor: historyCursor.nullish() }),
    chat: z.object({ session_key: sessionKey.nullish(), messages, stream: z.boolean().optional() }),
  };
}

function invalid(what: string, error: z.ZodError): BotgateError {
  return new BotgateError("BAD_REQUEST", `The request ${what} is not valid.`, {
    fieldErrors: z.flattenError(error).fieldErrors,
  });
}

/** The schema's query parameters, validated (an empty value counts as absent; others are ignored). */
export function parseQuery<T extends z.ZodObject>(query: Record<string, string>, schema: T): z.output<T> {
  const picked = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, query[name] || undefined]),
  );
  const result = schema.safeParse(picked);
  if (!result.success) throw invalid("query", result.error);
  return result.data;
}

/** A JSON body (empty allowed when `optional`), validated. */
export function parseBody<T extends z.ZodType>(text: string, schema: T, optional = false): z.output<T> {
  let value: unknown = {};
  if (text.trim() !== "" || !optional) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new BotgateError("BAD_REQUEST", "The request body is not valid JSON.");
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw invalid("body", result.error);
  return result.data;
}
