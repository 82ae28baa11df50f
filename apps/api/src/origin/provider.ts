// The seam between the chat origin and LLM providers (packages/llm). Shapes are OpenAI's own
// chat.completion and chat.completion.chunk types, re-exported for the origin's modules.
import {
  type ChatMessage,
  type ChatProvider,
  EchoProvider,
  messageText,
  OpenAiCompatibleProvider,
} from "@botgate/llm";
import type { Env } from "../env.ts";

export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "@botgate/llm";

/** The text of a message's content (string, or the text parts of an array). */
export function textOf(content: ChatMessage["content"]): string {
  return messageText({ role: "user", content } as ChatMessage);
}

export interface ProviderOptions {
  /** The platform default (OPENAI_API_KEY, OPENAI_BASE_URL), when configured. */
  openAi: { apiKey: string; baseUrl: string } | null;
  echo?: ChatProvider;
}

export function providerOptionsOf(env: Env): ProviderOptions {
  return {
    openAi:
      env.OPENAI_API_KEY === undefined
        ? null
        : { apiKey: env.OPENAI_API_KEY, baseUrl: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1" },
  };
}

const platformDefaults = new Map<string, ChatProvider>();

/**
 * The provider a chatbot talks to: `echo` by name; any other name through the platform
 * default OpenAI-compatible endpoint when one is configured, else (the embedded default)
 * through `echo`. Per-account provider records plug in here (packages/llm).
 */
export function providerFor(chatbotProvider: string, options: ProviderOptions): ChatProvider {
  const echo = options.echo ?? defaultEcho;
  if (chatbotProvider === "echo" || options.openAi === null) return echo;
  const key = `${options.openAi.baseUrl} ${options.openAi.apiKey}`;
  let provider = platformDefaults.get(key);
  if (provider === undefined) {
    provider = new OpenAiCompatibleProvider({ name: "openai", ...options.openAi });
    platformDefaults.set(key, provider);
  }
  return provider;
}

/** The models a chatbot serves (GET /v1/models, and the `model` a completion may name). */
export function allowedModels(chatbot: { defaultModel: string | null; provider: string }): string[] {
  return [chatbot.defaultModel ?? chatbot.provider];
}

const defaultEcho = new EchoProvider();
