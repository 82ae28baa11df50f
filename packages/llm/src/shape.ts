// The openai client returns whatever a 200 carried (a string when it was not JSON, any object
// when it was): what the origin relays must be a completion or a chunk, or a provider error.
// The fields the platform reads, stores and relays are checked for their types too (content a
// string or null, tool calls with string names and arguments): a number where text belongs
// would break every client that trusts OpenAI's contract, and the session store.
import { BotgateError } from "@botgate/core";
import type { ChatCompletion, ChatCompletionChunk } from "./types.ts";

function malformed(provider: string, what: string): BotgateError {
  return new BotgateError("PROVIDER_ERROR", `The provider answered something that is not ${what}.`, {
    providerFailure: { provider, side: "provider", retryable: true },
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const optional = (value: unknown, type: "string" | "number") =>
  value === undefined || value === null || typeof value === type;

/** A streamed tool call may leave out what an earlier chunk of it said, but not mistype it. */
const toolCallOk = (call: unknown) =>
  isObject(call) &&
  optional(call.id, "string") &&
  optional(call.index, "number") &&
  (call.function === undefined ||
    (isObject(call.function) &&
      optional(call.function.name, "string") &&
      optional(call.function.arguments, "string")));

const messageOk = (message: unknown) =>
  isObject(message) &&
  optional(message.role, "string") &&
  optional(message.content, "string") &&
  (message.tool_calls === undefined ||
    message.tool_calls === null ||
    (Array.isArray(message.tool_calls) && message.tool_calls.every(toolCallOk)));

const choicesOk = (choices: unknown, field: "message" | "delta") =>
  Array.isArray(choices) &&
  choices.every(
    (choice) => isObject(choice) && messageOk(choice[field]) && optional(choice.finish_reason, "string"),
  );

export function checkedCompletion(value: unknown, provider: string): ChatCompletion {
  if (!isObject(value) || !choicesOk(value.choices, "message") || (value.choices as unknown[]).length === 0) {
    throw malformed(provider, "a chat completion");
  }
  return value as unknown as ChatCompletion;
}

/** A chunk; one carrying only usage (some providers omit `choices` there) gets `choices: []`. */
export function checkedChunk(value: unknown, provider: string): ChatCompletionChunk {
  if (isObject(value) && value.choices === undefined && isObject(value.usage)) {
    return { ...value, choices: [] } as unknown as ChatCompletionChunk;
  }
  if (!isObject(value) || !choicesOk(value.choices, "delta")) {
    throw malformed(provider, "a chat completion chunk");
  }
  return value as unknown as ChatCompletionChunk;
}
