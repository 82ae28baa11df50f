// What a relayed stream leaves for the session (sse.ts's outcome): the text of the answer's
// first choice, as a non-streamed answer's choices[0] is stored, whatever its index.
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatProvider,
  completionChunks,
} from "@botgate/llm";
import { describe, expect, it } from "vitest";
import { peekStream, type StreamOutcome, sseBody } from "../src/origin/sse.ts";

const request = { model: "m", messages: [], temperature: null, maxTokens: null };
const timings = { idleMs: 5_000, pingMs: 5_000 };

const answer = (choices: [index: number, content: string][]): ChatCompletionChunk[] =>
  completionChunks({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: choices.map(([index, content]) => ({
      index,
      message: { role: "assistant", content, refusal: null },
      finish_reason: "stop",
      logprobs: null,
    })),
  } satisfies ChatCompletion);

/** The outcome `end` sees once the provider's chunks were relayed. */
async function outcomeOf(chunks: ChatCompletionChunk[]): Promise<StreamOutcome> {
  const provider: ChatProvider = {
    name: "scripted",
    complete: () => Promise.reject(new Error("not asked")),
    async *stream() {
      yield* chunks;
    },
  };
  const peeked = await peekStream(provider, request, timings, new AbortController().signal);
  let ended: StreamOutcome | undefined;
  const body = sseBody(
    peeked,
    {
      chunk: () => [],
      end: (outcome) => {
        ended = structuredClone(outcome);
        return [];
      },
      error: () => "",
      settled: () => {},
    },
    timings,
  );
  await new Response(body).text();
  if (ended === undefined) throw new Error("the stream did not end as complete");
  return ended;
}

describe("a relayed stream's answer text", () => {
  it("is choice 0's when the provider tells choices 0 and 1", async () => {
    expect(
      (
        await outcomeOf(
          answer([
            [0, "first"],
            [1, "second"],
          ]),
        )
      ).content,
    ).toBe("first");
  });

  it("is the only choice's when the provider numbers it other than 0", async () => {
    expect((await outcomeOf(answer([[1, "only one"]]))).content).toBe("only one");
  });
});
