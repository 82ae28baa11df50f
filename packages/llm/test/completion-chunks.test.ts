// A finished completion told as chunks (completion-chunks.ts): what a client assembling the
// stream gets back must be the completion it replaces, every choice and field of it.
import { describe, expect, it } from "vitest";
import { type ChatCompletion, type ChatCompletionChunk, completionChunks } from "../src/index.ts";

const completion = (
  choices: ChatCompletion["choices"],
  extra: Partial<ChatCompletion> = {},
): ChatCompletion => ({
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1_700_000_000,
  model: "m",
  choices,
  ...extra,
});

/** What a client makes of the chunks: per choice index, its text, refusal, calls and finish. */
function assembled(chunks: ChatCompletionChunk[]) {
  const choices = new Map<number, { content: string; refusal: string; calls: unknown[]; finish: unknown }>();
  for (const chunk of chunks) {
    for (const { index, delta, finish_reason } of chunk.choices) {
      const choice = choices.get(index) ?? { content: "", refusal: "", calls: [], finish: null };
      choice.content += delta.content ?? "";
      choice.refusal += delta.refusal ?? "";
      choice.calls.push(...(delta.tool_calls ?? []));
      if (finish_reason !== null) choice.finish = finish_reason;
      choices.set(index, choice);
    }
  }
  return Object.fromEntries(choices);
}

describe("completionChunks", () => {
  it("tells every choice: its role first, then its text, refusal or tool calls, then its finish", () => {
    const chunks = completionChunks(
      completion([
        {
          index: 0,
          message: { role: "assistant", content: "hi", refusal: null },
          finish_reason: "stop",
          logprobs: null,
        },
        {
          index: 1,
          message: { role: "assistant", content: null, refusal: "no" },
          finish_reason: "stop",
          logprobs: null,
        },
        {
          index: 2,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "f", arguments: "{}" } },
              { id: "call_b", type: "function", function: { name: "g", arguments: '{"x":1}' } },
            ],
          },
          finish_reason: "tool_calls",
          logprobs: null,
        },
      ]),
    );
    expect(chunks[0]?.choices.map((c) => [c.index, c.delta.role])).toEqual([
      [0, "assistant"],
      [1, "assistant"],
      [2, "assistant"],
    ]);
    expect(assembled(chunks)).toEqual({
      0: { content: "hi", refusal: "", calls: [], finish: "stop" },
      1: { content: "", refusal: "no", calls: [], finish: "stop" },
      2: {
        content: "",
        refusal: "",
        calls: [
          { index: 0, id: "call_a", type: "function", function: { name: "f", arguments: "{}" } },
          { index: 1, id: "call_b", type: "function", function: { name: "g", arguments: '{"x":1}' } },
        ],
        finish: "tool_calls",
      },
    });
  });

  it("ends with one usage chunk without choices when the completion has usage, and none when not", () => {
    const usage = { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 };
    const message = { role: "assistant" as const, content: "x", refusal: null };
    const choice = { index: 0, message, finish_reason: "stop" as const, logprobs: null };
    const withUsage = completionChunks(completion([choice], { usage }));
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage });
    expect(withUsage.slice(0, -1).every((c) => c.usage === null && c.choices.length > 0)).toBe(true);
    const without = completionChunks(completion([choice]));
    expect(without.every((c) => c.usage === null && c.choices.length > 0)).toBe(true);
  });

  it("keeps the envelope on every chunk, and a provider's own message fields but no empty ones", () => {
    // A provider's field beyond OpenAI's type (a variable, so no excess-property check).
    const withOwnField = {
      role: "assistant" as const,
      content: "",
      refusal: null,
      annotations: [],
      reasoning_content: "because",
    };
    const chunks = completionChunks(
      completion(
        [
          {
            index: 0,
            message: withOwnField,
            finish_reason: "stop",
            logprobs: null,
          },
        ],
        { system_fingerprint: "fp_1" },
      ),
    );
    for (const chunk of chunks) {
      expect(chunk).toMatchObject({
        id: "chatcmpl-1",
        object: "chat.completion.chunk",
        created: 1_700_000_000,
        model: "m",
        system_fingerprint: "fp_1",
      });
    }
    const deltas = chunks.flatMap((c) => c.choices.map((choice) => choice.delta));
    expect(deltas).toContainEqual({ reasoning_content: "because" });
    expect(deltas.some((d) => "annotations" in d)).toBe(false);
  });
});
