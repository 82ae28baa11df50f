// The embedded default provider: answers "Echo: <last user message>", streamed word by word
// with a short pause between words (a real provider's cadence, so clients and tests see
// incremental delivery), ending with one usage chunk (`choices: []`) like OpenAI's
// `stream_options.include_usage`.
import type {
  CallOptions,
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "./types.ts";
import { mapUpstreamError } from "./upstream-errors.ts";

const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** The text of a message, whatever its content shape (string, parts or none). */
export function messageText(message: ChatMessage): string {
  const content = message.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
}

export class EchoProvider implements ChatProvider {
  readonly name = "echo";
  readonly #pauseMs: number;

  constructor({ pauseMs = 15 }: { pauseMs?: number } = {}) {
    this.#pauseMs = pauseMs;
  }

  #reply(request: CompletionRequest): { text: string; truncated: boolean; usage: Usage } {
    const lastUser = request.messages.findLast((m) => m.role === "user");
    const words = `Echo: ${lastUser === undefined ? "" : messageText(lastUser)}`.trim().split(/(?<=\s)/);
    const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
    const text = words.slice(0, limit).join("");
    const prompt = request.messages.reduce((sum, m) => sum + countTokens(messageText(m)), 0);
    const completion = countTokens(text);
    return {
      text,
      truncated: words.length > limit,
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
  }

  async complete(request: CompletionRequest, options: CallOptions = {}): Promise<ChatCompletion> {
    if (options.signal?.aborted) throw mapUpstreamError(options.signal.reason, { provider: this.name });
    const { text, truncated, usage } = this.#reply(request);
    return {
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: text, refusal: null },
          finish_reason: truncated ? "length" : "stop",
          logprobs: null,
        },
      ],
      usage,
    };
  }

  async *stream(request: CompletionRequest, options: CallOptions = {}): AsyncIterable<ChatCompletionChunk> {
    const { text, truncated, usage } = this.#reply(request);
    const id = `chatcmpl-${crypto.randomUUID()}`;
    const chunk = (
      choices: ChatCompletionChunk["choices"],
      chunkUsage: Usage | null = null,
    ): ChatCompletionChunk => ({
      id,
      object: "chat.completion.chunk",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices,
      usage: chunkUsage,
    });
    const delta = (
      d: ChatCompletionChunk["choices"][number]["delta"],
      finish: "stop" | "length" | null = null,
    ) => chunk([{ index: 0, delta: d, finish_reason: finish, logprobs: null }]);
    const checkAborted = () => {
      if (options.signal?.aborted) throw mapUpstreamError(options.signal.reason, { provider: this.name });
    };
    checkAborted();
    yield delta({ role: "assistant", content: "" });
    for (const word of text.split(/(?<=\s)/)) {
      await new Promise((resolve) => setTimeout(resolve, this.#pauseMs));
      checkAborted();
      yield delta({ content: word });
    }
    yield delta({}, truncated ? "length" : "stop");
    yield chunk([], usage);
  }
}
