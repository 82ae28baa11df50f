// The provider request a chat call makes: the owner's settings decide, the end user only
// talks. The chatbot's system role always leads (client `system` messages are dropped), its
// model and temperature are used as they are (no chatbot allows overrides yet, so a client's
// `temperature` is ignored; a `model` must be one the chatbot allows), and its
// defaultMaxTokens is a ceiling that a client's `max_tokens` can only lower. Client `tools`
// (OpenAI surface only) pass to the provider unchanged.
import { defaultSystemRoleEnhanced } from "@botgate/core";
import type { ChatMessage, CompletionRequest } from "./provider.ts";

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
  clientMessages: readonly ChatMessage[],
  client: {
    maxTokens?: number | undefined;
    model?: string | undefined;
    tools?: CompletionRequest["tools"];
    toolChoice?: CompletionRequest["toolChoice"];
  } = {},
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
    model: client.model ?? chatbot.defaultModel ?? chatbot.provider,
    messages: [
      { role: "system", content: system },
      ...clientMessages.filter((m) => m.role !== "system" && m.role !== "developer"),
    ],
    temperature: chatbot.defaultTemperature,
    maxTokens,
    ...(client.tools === undefined ? {} : { tools: client.tools }),
    ...(client.toolChoice === undefined ? {} : { toolChoice: client.toolChoice }),
  };
}
