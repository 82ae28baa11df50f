// The openai client returns whatever a 200 carried (a string when it was not JSON, any object
// when it was): what the origin relays must be a completion or a chunk, or a provider error.
// The fields the platform reads, stores and relays are checked for their types too (content a
// string or null, tool calls with string names and arguments): a number where text belongs
// would break every client that trusts OpenAI's contract, and the session store. Everything
// else a provider adds passes through untouched (loose objects).
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import type { ChatCompletion, ChatCompletionChunk } from "./types.ts";

function malformed(provider: string, what: string): BotgateError {
  return new BotgateError("PROVIDER_ERROR", `The provider answered something that is not ${what}.`, {
    providerFailure: { provider, side: "provider", retryable: true },
  });
}

/** A streamed tool call may leave out what an earlier chunk of it said, but not mistype it. */
const toolCall = z.looseObject({
  id: z.string().nullish(),
  index: z.number().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).optional(),
});

const message = z.looseObject({
  role: z.string().nullish(),
  content: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
});

const completion = z.looseObject({
  choices: z.array(z.looseObject({ message, finish_reason: z.string().nullish() })).min(1),
});

const chunk = z.looseObject({
  choices: z.array(z.looseObject({ delta: message, finish_reason: z.string().nullish() })),
});

/** Some providers leave `choices` out of the last chunk, which carries the usage only. */
const usageOnlyChunk = z.looseObject({ choices: z.undefined().optional(), usage: z.looseObject({}) });

export function checkedCompletion(value: unknown, provider: string): ChatCompletion {
  if (!completion.safeParse(value).success) throw malformed(provider, "a chat completion");
  return value as ChatCompletion;
}

/** A chunk; one carrying only usage gets `choices: []`. */
export function checkedChunk(value: unknown, provider: string): ChatCompletionChunk {
  if (usageOnlyChunk.safeParse(value).success) {
    return { ...(value as object), choices: [] } as unknown as ChatCompletionChunk;
  }
  if (!chunk.safeParse(value).success) throw malformed(provider, "a chat completion chunk");
  return value as ChatCompletionChunk;
}
