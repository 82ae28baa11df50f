// The seam between the chat origin and LLM providers. Only the local `echo` provider exists
// for now; OpenAI-compatible clients arrive with the provider layer (packages/llm) behind the
// same interface. Shapes follow OpenAI's chat.completion and chat.completion.chunk objects;
// they are type aliases rather than interfaces because they are stored as Prisma JSON.
import { BotgateError } from "@botgate/core";

export type ChatMessage = {
  role: "system" | "user" | "assistant";
  content: string;
};

export type CompletionRequest = {
  model: string;
  messages: ChatMessage[];
  temperature: number | null;
  maxTokens: number | null;
};

export type Usage = {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
};

export type ChatCompletion = {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string };
    finish_reason: "stop" | "length";
  }[];
  usage: Usage;
};

export type ChatCompletionChunk = {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: "assistant"; content?: string };
    finish_reason: "stop" | "length" | null;
  }[];
};

export interface ChatProvider {
  readonly name: string;
  /** @throws BotgateError (BAD_GATEWAY, GATEWAY_TIMEOUT, ...) when the provider fails. */
  complete(request: CompletionRequest): Promise<ChatCompletion>;
  /** Chunks in order; the last one carries finish_reason. Throws like complete(). */
  stream(request: CompletionRequest): AsyncIterable<ChatCompletionChunk>;
}

const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

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

  #reply(request: CompletionRequest): { text: string; truncated: boolean; usage: Usage } {
    const lastUser = request.messages.findLast((m) => m.role === "user");
    const words = `Echo: ${lastUser?.content ?? ""}`.trim().split(/(?<=\s)/);
    const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
    const text = words.slice(0, limit).join("");
    const prompt = request.messages.reduce((sum, m) => sum + countTokens(m.content), 0);
    const completion = countTokens(text);
    return {
      text,
      truncated: words.length > limit,
      usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
    };
  }

  async complete(request: CompletionRequest): Promise<ChatCompletion> {
    const { text, truncated, usage } = this.#reply(request);
    return {
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1000),
      model: request.model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: text },
          finish_reason: truncated ? "length" : "stop",
        },
      ],
      usage,
    };
  }

  async *stream(request: CompletionRequest): AsyncIterable<ChatCompletionChunk> {
    const { text, truncated } = this.#reply(request);
    const base = {
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion.chunk" as const,
      model: request.model,
    };
    const chunk = (
      delta: ChatCompletionChunk["choices"][number]["delta"],
      finish: "stop" | "length" | null,
    ) => ({
      ...base,
      created: Math.floor(Date.now() / 1000),
      choices: [{ index: 0, delta, finish_reason: finish }],
    });
    yield chunk({ role: "assistant", content: "" }, null);
    for (const word of text.split(/(?<=\s)/)) {
      await new Promise((resolve) => setTimeout(resolve, this.#pauseMs));
      yield chunk({ content: word }, null);
    }
    yield chunk({}, truncated ? "length" : "stop");
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

const defaultEcho = new EchoProvider();
