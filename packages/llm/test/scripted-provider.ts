// The seam the tool loop is tested through: a ChatProvider that answers from a script and
// records every request it was given.
import type { ChatCompletion, ChatProvider, CompletionRequest, ToolCall } from "../src/types.ts";

export type Turn = { text: string } | { calls: Array<{ name: string; arguments: string }> };

export function completionOf(turn: Turn, n: number): ChatCompletion {
  const toolCalls: ToolCall[] | undefined =
    "calls" in turn
      ? turn.calls.map((c, i) => ({
          id: `call_${n}_${i}`,
          type: "function",
          function: { name: c.name, arguments: c.arguments },
        }))
      : undefined;
  return {
    id: `cmpl-${n}`,
    object: "chat.completion",
    created: 1_700_000_000,
    model: "scripted",
    choices: [
      {
        index: 0,
        finish_reason: toolCalls === undefined ? "stop" : "tool_calls",
        logprobs: null,
        message: {
          role: "assistant",
          content: "text" in turn ? turn.text : null,
          refusal: null,
          ...(toolCalls !== undefined && { tool_calls: toolCalls }),
        },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
  };
}

export class ScriptedProvider implements ChatProvider {
  readonly name = "scripted";
  readonly requests: CompletionRequest[] = [];
  readonly #script: Array<Turn | ((request: CompletionRequest) => Turn)>;

  constructor(script: Array<Turn | ((request: CompletionRequest) => Turn)>) {
    this.#script = script;
  }

  async complete(request: CompletionRequest): Promise<ChatCompletion> {
    this.requests.push(structuredClone(request));
    const step = this.#script[this.requests.length - 1] ?? this.#script[this.#script.length - 1];
    if (step === undefined) throw new Error("empty script");
    return completionOf(typeof step === "function" ? step(request) : step, this.requests.length);
  }

  // biome-ignore lint/correctness/useYield: the loop never streams.
  async *stream(): AsyncIterable<never> {
    throw new Error("not scripted");
  }
}
