// The seam between the chat origin and LLM providers (packages/llm). Shapes are OpenAI's own
// chat.completion and chat.completion.chunk types, re-exported for the origin's modules.
import { BotgateError } from "@botgate/core";
import { type ChatProvider, EchoProvider } from "@botgate/llm";

export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "@botgate/llm";

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
