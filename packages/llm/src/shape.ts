// The openai client returns whatever a 200 carried (a string when it was not JSON, any object
// when it was): what the origin relays must be a completion or a chunk, or a provider error.
import { BotgateError } from "@botgate/core";
import type { ChatCompletion, ChatCompletionChunk } from "./types.ts";

function malformed(provider: string, what: string): BotgateError {
  return new BotgateError("PROVIDER_ERROR", `The provider answered something that is not ${what}.`, {
    providerFailure: { provider, side: "provider", retryable: true },
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const choicesOk = (choices: unknown, field: "message" | "delta") =>
  Array.isArray(choices) && choices.every((choice) => isObject(choice) && isObject(choice[field]));

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
