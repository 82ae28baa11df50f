// The provider request a chat call makes: the owner's settings decide, the end user only
// talks. The chatbot's system role always leads (client `system` messages are dropped), its
// model and temperature are used as they are (no chatbot allows overrides yet, so a client's
// `model` and `temperature` are ignored), and its defaultMaxTokens is a ceiling that a
// client's `max_tokens` can only lower.
import { defaultSystemRoleEnhanced } from "@botgate/core";
import type { ChatMessage, CompletionRequest } from "./provider.ts";

/** A message as the chat routes accept it. */
export interface ClientMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

const DEFAULT_SYSTEM_ROLE = "You are a helpful assistant.";

export interface OwnerSettings {
  provider: string;
  defaultModel: string | null;
  defaultSystemRole: string | null;
  defaultTemperature: number | null;
  defaultMaxTokens: number | null;
}

export function completionRequest(
  chatbot: OwnerSettings,
  clientMessages: readonly ClientMessage[],
  client: { maxTokens?: number | undefined } = {},
  now: Date = new Date(),
): CompletionRequest {
  const system = defaultSystemRoleEnhanced(chatbot.defaultSystemRole ?? DEFAULT_SYSTEM_ROLE, now);
  const ceiling = chatbot.defaultMaxTokens;
  const maxTokens =
    client.maxTokens === undefined
      ? ceiling
      : ceiling === null
        ? client.maxTokens
        : Math.min(ceiling, client.maxTokens);
  return {
    model: chatbot.defaultModel ?? chatbot.provider,
    messages: [{ role: "system", content: system }, ...clientMessages.flatMap(toProviderMessage)],
    temperature: chatbot.defaultTemperature,
    maxTokens,
  };
}

function toProviderMessage(message: ClientMessage): ChatMessage[] {
  if (message.role === "system") return [];
  return [{ role: message.role, content: message.content }];
}
