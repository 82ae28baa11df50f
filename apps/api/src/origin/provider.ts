// The seam between the chat origin and LLM providers (packages/llm): which provider a chatbot
// talks to, built from its account's provider record (key opened with runtime.secrets) or
// the platform default, and the models it allows (for /v1/models). Resolutions are cached
// per process for a few seconds, so a provider.update reaches chats within PROVIDER_CACHE_TTL_MS.

import {
  chatProviderOf,
  PLATFORM_PROVIDER_NAME,
  type PlatformProvider,
  type ResolvedProvider,
  resolveProvider,
  type SecretBox,
} from "@botgate/api";
import { BotgateError } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import type { EgressPolicy } from "@botgate/egress";
import { type ChatMessage, type ChatProvider, messageText } from "@botgate/llm";
import { LRUCache } from "lru-cache";
import type { Env } from "../env.ts";

export type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "@botgate/llm";

/** The platform default provider from OPENAI_API_KEY / OPENAI_BASE_URL, or null. */
export function platformProviderOf(env: Env): PlatformProvider | null {
  if (env.OPENAI_API_KEY === undefined) return null;
  const allowedModels = env.OPENAI_ALLOWED_MODELS ?? [];
  return {
    name: PLATFORM_PROVIDER_NAME,
    baseUrl: env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
    apiKey: env.OPENAI_API_KEY,
    allowedModels,
    defaultModel: env.OPENAI_DEFAULT_MODEL ?? allowedModels[0] ?? "gpt-4o-mini",
    timeoutMs: env.OPENAI_TIMEOUT_MS,
    idleTimeoutMs: env.OPENAI_IDLE_TIMEOUT_MS,
  };
}

export interface ChatbotProvider {
  provider: ChatProvider;
  /** Models the provider allows; empty: any. */
  allowedModels: string[];
  /** The model of a chatbot that names none (null: echo). */
  defaultModel: string | null;
}

/** The text of a message's content (string, or the text parts of an array). */
export function textOf(content: ChatMessage["content"]): string {
  return messageText({ role: "user", content } as ChatMessage);
}

/**
 * The models a chatbot allows (GET /v1/models, and the `model` a completion may name): its
 * provider's list, else the one model it answers with.
 */
export function allowedModels(
  chatbot: { defaultModel: string | null; provider: string },
  resolved: ChatbotProvider,
): string[] {
  if (resolved.allowedModels.length > 0) return resolved.allowedModels;
  return [chatbot.defaultModel ?? resolved.defaultModel ?? chatbot.provider];
}

export const PROVIDER_CACHE_TTL_MS = 5_000;
const MAX_CACHED = 1_000;

export interface ProviderResolver {
  /** @throws BotgateError UNAVAILABLE when the chatbot names a provider that no longer exists. */
  forChatbot(chatbot: { accountId: number; provider: string }): Promise<ChatbotProvider>;
}

export function providerResolver(options: {
  db: DatabaseClient;
  secrets: SecretBox;
  platform: PlatformProvider | null;
  /** How account provider records may connect (the platform default is not restricted). */
  egress: EgressPolicy;
  /** Clock for the cache's TTL (lru-cache `perf`), e.g. a fake one in tests. */
  now?: () => number;
}): ProviderResolver {
  // Least recently used entries go first when full; ttlResolution 0: expiry exact to the clock.
  const cache = new LRUCache<string, ChatbotProvider>({
    max: MAX_CACHED,
    ttl: PROVIDER_CACHE_TTL_MS,
    ttlResolution: 0,
    ...(options.now && { perf: { now: options.now } }),
  });
  return {
    async forChatbot(chatbot) {
      const key = `${chatbot.accountId}:${chatbot.provider}`;
      const hit = cache.get(key);
      if (hit !== undefined) return hit;
      const resolved: ResolvedProvider | null = await resolveProvider(
        options.db,
        options.platform,
        chatbot.accountId,
        chatbot.provider,
      );
      if (resolved === null) {
        // chatbot.update and provider.delete prevent this; a row written around them lands here.
        throw new BotgateError("UNAVAILABLE", `The "${chatbot.provider}" provider is not configured.`, {
          provider: chatbot.provider,
        });
      }
      const value: ChatbotProvider = {
        provider: chatProviderOf(resolved, options.secrets, options.egress),
        allowedModels: resolved.allowedModels,
        defaultModel: resolved.defaultModel,
      };
      cache.set(key, value);
      return value;
    },
  };
}
