// The seam between the chat origin and LLM providers (packages/llm's ChatProvider). Only the
// local `echo` provider is wired here for now; provider records and OpenAI-compatible
// endpoints come with packages/llm behind the same interface.
import { BotgateError } from "@botgate/core";
import type {
  CallOptions,
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "@botgate/llm";

export type { ChatCompletion, ChatCompletionChunk, ChatMessage, ChatProvider, CompletionRequest, Usage };

/** The text of a message's content (string, or the text parts of an array). */
export function textOf(content: ChatMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => ("text" in part && typeof part.text === "string" ? part.text : "")).join("");
}

const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

const aborted = (signal: AbortSignal | undefined) =>
  signal?.aborted ? new BotgateError("BAD_GATEWAY", "The call was aborted.") : null;

/**
 * Answers "Echo: <last user message>". Streams it word by word with a short pause between
 * words, like a real provider's token cadence, so clients (and tests) see incremental delivery.
 */
export class EchoProvider implements ChatProvider {
  readonly name = "echo";
  readonly #pauseMs: number;

  constructor({ pauseMs = 15 }: { pauseMs?: number } = {}) {
    this.#pauseMs = pauseMs;
  }

  #reply(request: CompletionRequest): { words: string[]; truncated: boolean; usage: Usage } {
    const lastUser = request.messages.findLast((m) => m.role === "user");
    const all = `Echo: ${lastUser === undefined ? "" : textOf(lastUser.content)}`.trim().split(/(?<=\s)/);
    const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
    const words = all.slice(0, limit);
    const prompt = request.messages.reduce((sum, m) => sum + countTokens(textOf(m.content)), 0);
    const completion = countTokens(words.join(""));
    return {
      words,
      truncated: all.length > limit,
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
  }

  async complete(request: CompletionRequest, options: CallOptions = {}): Promise<ChatCompletion> {
    const failure = aborted(options.signal);
    if (failure) throw failure;
    const { words, truncated, usage } = this.#reply(request);
    return {
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: words.join(""), refusal: null },
          logprobs: null,
          finish_reason: truncated ? "length" : "stop",
        },
      ],
      usage,
    };
  }

  async *stream(request: CompletionRequest, options: CallOptions = {}): AsyncIterable<ChatCompletionChunk> {
    const { words, truncated, usage } = this.#reply(request);
    const id = `chatcmpl-${crypto.randomUUID()}`;
    const chunk = (choices: ChatCompletionChunk["choices"], extra: Partial<ChatCompletionChunk> = {}) => ({
      id,
      object: "chat.completion.chunk" as const,
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices,
      ...extra,
    });
    yield chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
    for (const word of words) {
      await new Promise((resolve) => setTimeout(resolve, this.#pauseMs));
      const failure = aborted(options.signal);
      if (failure) throw failure;
      yield chunk([{ index: 0, delta: { content: word }, finish_reason: null }]);
    }
    yield chunk([{ index: 0, delta: {}, finish_reason: truncated ? "length" : "stop" }]);
    yield chunk([], { usage });
  }
}

export interface ProviderOptions {
  /** OPENAI_API_KEY: when set, chatbots that name a real provider need the provider layer. */
  openAiConfigured: boolean;
  echo?: ChatProvider;
}

/**
 * The provider a chatbot talks to. Without OpenAI credentials (the embedded default) every
 * chatbot answers through `echo`; with them, a chatbot naming another provider is refused
 * clearly until the provider layer ships, rather than silently echoing in production.
 */
export function providerFor(chatbotProvider: string, options: ProviderOptions): ChatProvider {
  const echo = options.echo ?? defaultEcho;
  if (chatbotProvider === "echo" || !options.openAiConfigured) return echo;
  throw new BotgateError(
    "UNAVAILABLE",
    `The "${chatbotProvider}" provider is not available on this server yet.`,
    {
      provider: chatbotProvider,
    },
  );
}

/** The models a chatbot serves (GET /v1/models, and the `model` a completion may name). */
export function allowedModels(chatbot: { defaultModel: string | null; provider: string }): string[] {
  return [chatbot.defaultModel ?? chatbot.provider];
}

const defaultEcho = new EchoProvider();
