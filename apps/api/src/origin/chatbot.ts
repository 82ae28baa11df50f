// The chatbot as the chat origin needs it (one row with its owner, account, domain, active
// key count and enabled functions, kept by chatbot-cache.ts), the facts core derives hosts
// from, and the snake_case view /config/ answers (the seed's field names, as the original chat
// app reads them).

import { chatbotFactsOf } from "@botgate/api";
import {
  BotgateError,
  type ChatbotFacts,
  type ChatbotMode,
  deriveChatbot,
  type PlatformConfig,
  parseChatbotIdSegment,
} from "@botgate/core";
import { dnsStatusToSeed, type Prisma, tlsStatusToSeed } from "@botgate/db";
import type { ChatbotCache, OriginChatbot } from "./chatbot-cache.ts";

export type { OriginChatbot } from "./chatbot-cache.ts";

/** ChatBot.id is a Postgres integer: larger ids (valid hashed ids can encode them) exist nowhere. */
export const MAX_STORED_ID = 2_147_483_647;

export const unknownChatbot = () => new BotgateError("NOT_FOUND", "No chatbot answers at this address.");

/** The id a path's `<id|hashed_id>` segment names, or null when no stored chatbot can have it. */
export function storedIdOf(idSegment: string): number | null {
  const id = parseChatbotIdSegment(idSegment);
  return id === null || id > MAX_STORED_ID ? null : id;
}

/**
 * The chatbot and the admission version it was read at. Malformed and unknown ids, and the
 * chatbots of a suspended account, answer alike. `version`: the read of it started already.
 */
export async function loadChatbot(
  chatbots: ChatbotCache,
  id: number | null,
  version: Promise<number | null> | null,
): Promise<{ chatbot: OriginChatbot; version: number }> {
  const current = id === null ? null : await (version ?? chatbots.version(id));
  const chatbot = id === null || current === null ? null : await chatbots.chatbot(id, current);
  if (chatbot === null || current === null) throw unknownChatbot();
  return { chatbot, version: current };
}

export function chatbotFacts(row: OriginChatbot): ChatbotFacts {
  return chatbotFactsOf(row, row.account.accountNumber);
}

const stringsOf = (value: Prisma.JsonValue): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];

/**
 * Every stored field an end user may see plus the derived URLs, in the seed's snake_case.
 * The system role is the owner's prompt: the admin API shows it, /config/ never does.
 */
export function configChatbotView(row: OriginChatbot, config: PlatformConfig, mode: ChatbotMode) {
  const derived = deriveChatbot(chatbotFacts(row), config);
  return {
    id: row.id,
    hashed_id: derived.hashedId,
    name: row.name,
    description: row.description,
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    account_number: row.account.accountNumber,
    deployed: row.deployed,
    provider: row.provider,
    default_model: row.defaultModel,
    default_temperature: row.defaultTemperature,
    default_max_tokens: row.defaultMaxTokens,
    app_name: row.appName,
    app_assistant: row.appAssistant,
    app_welcome_message: row.appWelcomeMessage,
    app_example_prompts: stringsOf(row.appExamplePrompts),
    app_placeholder: row.appPlaceholder,
    app_info_url: row.appInfoUrl,
    app_background_image_url: row.appBackgroundImageUrl,
    app_logo_url: row.appLogoUrl,
    app_file_attachment: row.appFileAttachment,
    dns_verification_status: dnsStatusToSeed(row.dnsVerificationStatus),
    tls_certificate_issuance_status: tlsStatusToSeed(row.tlsCertificateIssuanceStatus),
    api_key_required: row._count.apiKeys > 0,
    rfc1034_compliant_name: derived.rfc1034CompliantName,
    default_host: derived.defaultHost,
    default_url: derived.defaultUrl,
    custom_host: derived.customHost,
    custom_url: derived.customUrl,
    sandbox_host: derived.sandboxHost,
    sandbox_url: derived.sandboxUrl,
    hostname: derived.hostname,
    url: derived.url,
    url_chatbot: derived.urlChatbot,
    url_chat_config: derived.urlChatConfig,
    url_chatapp: derived.urlChatapp,
    ready: derived.ready,
    /** The mode this request reached the chatbot in (derived.mode is the chatbot's own URL's). */
    mode,
  };
}
