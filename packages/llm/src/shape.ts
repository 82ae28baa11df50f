// The openai client returns whatever a 200 carried (a string when it was not JSON, any object
// when it was): what the origin relays must be a completion or a chunk, or a provider error.
// The fields the platform reads, stores and relays are checked for their types too (content a
// string or null, tool calls with string names and arguments): a number where text belongs
// would break every client that trusts OpenAI's contract, and the session store. Everything
// else a provider adds passes through untouched (loose objects), except that:
//   - the envelope OpenAI guarantees (id, object, created, model, each choice's index, the
//     assistant role) is filled in where a provider left it out or mistyped it;
//   - usage that is not whole non-negative token counts is dropped as unreported, so no
//     client or request log ever reads a negative, fractional or textual count;
//   - an answer nested absurdly deep is refused: relaying it would exhaust the stack;
//   - a finish_reason, tool-call id or function name too long to be what OpenAI's contract
//     means by it (a short identifier) is refused: it would be logged and stored whole.
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import type { ChatCompletion, ChatCompletionChunk, Usage } from "./types.ts";

function malformed(provider: string, what: string): BotgateError {
  return new BotgateError("PROVIDER_ERROR", `The provider answered something that is not ${what}.`, {
    providerFailure: { provider, side: "provider", retryable: true },
  });
}

/** Far deeper than any completion (its deepest field is a tool call's function name). */
export const MAX_ANSWER_NESTING = 32;

function nestedDeeperThan(value: unknown, maxDepth: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= maxDepth) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}

/** A finish_reason is one of a few short words ("stop", "length", "tool_calls", ...). */
export const MAX_FINISH_REASON_CHARS = 64;
/**
 * The session store's columns for a tool call's id and function name hold this many characters;
 * OpenAI's own ids are about 30, its function names at most 64.
 */
export const MAX_TOOL_CALL_FIELD_CHARS = 255;

const finishReason = z.string().max(MAX_FINISH_REASON_CHARS).nullish();
const toolCallField = z.string().max(MAX_TOOL_CALL_FIELD_CHARS).nullish();

/** A streamed tool call may leave out what an earlier chunk of it said, but not mistype it. */
const toolCall = z.looseObject({
  id: toolCallField,
  type: z.string().nullish(),
  index: z.number().nullish(),
  function: z.looseObject({ name: toolCallField, arguments: z.string().nullish() }).optional(),
});

/**
 * A whole answer's function call names its function and arguments: the origin runs it, or the
 * client does. Other kinds of tool call (a client's custom tools) pass as the provider sent them.
 */
const completeToolCall = toolCall.refine(
  (call) =>
    (call.type != null && call.type !== "function") ||
    (typeof call.function?.name === "string" &&
      call.function.name !== "" &&
      typeof call.function.arguments === "string"),
);

const messageWith = (call: z.ZodType) =>
  z.looseObject({
    role: z.string().nullish(),
    content: z.string().nullish(),
    tool_calls: z.array(call).nullish(),
  });

const completion = z.looseObject({
  choices: z
    .array(z.looseObject({ message: messageWith(completeToolCall), finish_reason: finishReason }))
    .min(1),
});

const chunk = z.looseObject({
  choices: z.array(z.looseObject({ delta: messageWith(toolCall), finish_reason: finishReason })),
});

const tokens = z.number().int().nonnegative();
const usage = z.looseObject({
  prompt_tokens: tokens,
  completion_tokens: tokens,
  total_tokens: tokens.optional(),
});

/** What fills OpenAI's envelope where the provider's answer lacks it (one per answer or stream). */
export interface AnswerDefaults {
  id: string;
  /** Unix seconds. */
  created: number;
  /** The model the request named. */
  model: string;
  /** A stream's tool calls already opened ("choice:call" indexes): only a call's first delta has its id. */
  openedToolCalls: Set<string>;
}

export function answerDefaults(model: string): AnswerDefaults {
  return {
    id: `chatcmpl-${crypto.randomUUID()}`,
    created: Math.floor(Date.now() / 1000),
    model,
    openedToolCalls: new Set(),
  };
}

type Loose = Record<string, unknown>;

function envelope(value: Loose, object: string, defaults: AnswerDefaults) {
  return {
    id: typeof value.id === "string" && value.id !== "" ? value.id : defaults.id,
    object,
    created: tokens.safeParse(value.created).success ? (value.created as number) : defaults.created,
    model: typeof value.model === "string" && value.model !== "" ? value.model : defaults.model,
  };
}

const indexed = (choice: Loose, position: number) =>
  tokens.safeParse(choice.index).success ? (choice.index as number) : position;

/** The usage when it is whole non-negative counts (total filled in), else undefined. */
function validUsage(value: unknown): Usage | undefined {
  const parsed = usage.safeParse(value);
  if (!parsed.success) return undefined;
  const counts = parsed.data;
  return {
    ...counts,
    total_tokens: counts.total_tokens ?? counts.prompt_tokens + counts.completion_tokens,
  } as Usage;
}

export function checkedCompletion(
  value: unknown,
  provider: string,
  defaults: AnswerDefaults,
): ChatCompletion {
  if (nestedDeeperThan(value, MAX_ANSWER_NESTING) || !completion.safeParse(value).success) {
    throw malformed(provider, "a chat completion");
  }
  const answer = value as Loose & { choices: (Loose & { message: Loose })[] };
  const { usage: reported, ...rest } = answer;
  const counted = validUsage(reported);
  return {
    ...rest,
    ...envelope(answer, "chat.completion", defaults),
    choices: answer.choices.map((choice, position) => ({
      ...choice,
      index: indexed(choice, position),
      message: withToolCallIds({ ...choice.message, role: "assistant" }),
    })),
    ...(counted === undefined ? {} : { usage: counted }),
  } as unknown as ChatCompletion;
}

/**
 * Each tool call of an answer gets the id and type OpenAI guarantees when the provider left
 * them out: the tool's result is matched to its call by that id, in the session and by clients.
 */
function withToolCallIds(message: Loose): Loose {
  const calls = message.tool_calls as Loose[] | null | undefined;
  if (!Array.isArray(calls)) return message;
  return {
    ...message,
    tool_calls: calls.map(withIdAndType),
  };
}

const withIdAndType = (call: Loose): Loose => ({
  ...call,
  id: typeof call.id === "string" && call.id !== "" ? call.id : `call_${crypto.randomUUID()}`,
  type: typeof call.type === "string" ? call.type : "function",
});

/**
 * A streamed tool call's first delta gets the id and type OpenAI guarantees when the provider
 * left them out (the client sends its result back under that id); later deltas of the same
 * call carry only arguments.
 */
function withStreamedToolCallIds(delta: Loose, choiceIndex: number, defaults: AnswerDefaults): Loose {
  const calls = delta.tool_calls as Loose[] | null | undefined;
  if (!Array.isArray(calls)) return delta;
  return {
    ...delta,
    tool_calls: calls.map((call, position) => {
      const key = `${choiceIndex}:${indexed(call, position)}`;
      if (defaults.openedToolCalls.has(key)) return call;
      defaults.openedToolCalls.add(key);
      return withIdAndType(call);
    }),
  };
}

/** A chunk; one carrying only usage gets `choices: []`. */
export function checkedChunk(
  value: unknown,
  provider: string,
  defaults: AnswerDefaults,
): ChatCompletionChunk {
  if (nestedDeeperThan(value, MAX_ANSWER_NESTING)) throw malformed(provider, "a chat completion chunk");
  const raw = value as Loose;
  const counted = validUsage(raw?.usage);
  // Some providers leave `choices` out of the last chunk, which carries the usage only.
  const usageOnly =
    typeof value === "object" && value !== null && raw.choices === undefined && counted !== undefined;
  if (!usageOnly && !chunk.safeParse(value).success) throw malformed(provider, "a chat completion chunk");
  const choices = usageOnly ? [] : (raw.choices as (Loose & { delta: Loose })[]);
  const { usage: _, ...rest } = raw;
  return {
    ...rest,
    ...envelope(raw, "chat.completion.chunk", defaults),
    choices: choices.map((choice, position) => {
      const index = indexed(choice, position);
      const delta = choice.delta.role == null ? choice.delta : { ...choice.delta, role: "assistant" };
      return { ...choice, index, delta: withStreamedToolCallIds(delta, index, defaults) };
    }),
    ...(counted === undefined ? {} : { usage: counted }),
  } as unknown as ChatCompletionChunk;
}
