// apiKey.*: per-chatbot keys for end-user traffic. Only a hash is stored; the plaintext is
// answered once. A chatbot with at least one active key requires one, so the first key and
// the last revocation change its route record.
import type { ChatBotAPIKey } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type { Principal } from "./auth.ts";
import { recordEvents } from "./events.ts";
import { publishRoutes, touchChatbots } from "./routing.ts";
import { assertChatbotInScope, chatbotScope, notFound } from "./scope.ts";
import { generateSecret } from "./secrets.ts";

export interface ApiKeyView {
  id: number;
  chatbotId: number;
  name: string;
  /** The first characters of the key, to tell keys apart. */
  prefix: string;
  isActive: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface NewApiKey extends ApiKeyView {
  /** Shown once: only its hash is stored. */
  key: string;
}

function toApiKeyView(row: ChatBotAPIKey): ApiKeyView {
  return {
    id: row.id,
    chatbotId: row.chatbotId,
    name: row.name,
    prefix: row.prefix,
    isActive: row.isActive,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    revokedAt: row.revokedAt,
  };
}

export async function createApiKey(
  services: ApiServices,
  principal: Principal,
  input: { chatbotId: number; name: string },
): Promise<NewApiKey> {
  await assertChatbotInScope(services.db, principal, input.chatbotId);
  const secret = generateSecret("apiKey");
  const { row, firstKey } = await services.db.$transaction(async (tx) => {
    const active = await tx.chatBotAPIKey.count({ where: { chatbotId: input.chatbotId, isActive: true } });
    const row = await tx.chatBotAPIKey.create({
      data: { chatbotId: input.chatbotId, name: input.name, keyHash: secret.hash, prefix: secret.prefix },
    });
    if (active === 0) await touchChatbots(tx, { id: input.chatbotId });
    await recordEvents(tx, principal.accountId, [
      { type: "apiKey.created", chatbotId: input.chatbotId, data: { apiKeyId: row.id, prefix: row.prefix } },
    ]);
    return { row, firstKey: active === 0 };
  });
  if (firstKey) await publishRoutes(services, [{ chatbotId: input.chatbotId, previousTargets: [] }]);
  return { ...toApiKeyView(row), key: secret.plaintext };
}

export async function listApiKeys(
  services: ApiServices,
  principal: Principal,
  chatbotId: number,
): Promise<ApiKeyView[]> {
  await assertChatbotInScope(services.db, principal, chatbotId);
  const rows = await services.db.chatBotAPIKey.findMany({ where: { chatbotId }, orderBy: { id: "asc" } });
  return rows.map(toApiKeyView);
}

/** Idempotent: revoking a revoked key answers it unchanged. */
export async function revokeApiKey(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<ApiKeyView> {
  const key = await services.db.chatBotAPIKey.findFirst({
    where: { id, chatbot: chatbotScope(principal) },
    select: { chatbotId: true },
  });
  if (!key) throw notFound("API key", id);
  const { chatbotId } = key;
  const { row, lastKey } = await services.db.$transaction(async (tx) => {
    const { count } = await tx.chatBotAPIKey.updateMany({
      where: { id, isActive: true },
      data: { isActive: false, revokedAt: new Date() },
    });
    const row = await tx.chatBotAPIKey.findUniqueOrThrow({ where: { id } });
    if (count === 0) return { row, lastKey: false };
    const remaining = await tx.chatBotAPIKey.count({ where: { chatbotId, isActive: true } });
    if (remaining === 0) await touchChatbots(tx, { id: chatbotId });
    await recordEvents(tx, principal.accountId, [
      { type: "apiKey.revoked", chatbotId, data: { apiKeyId: id, prefix: row.prefix } },
    ]);
    return { row, lastKey: remaining === 0 };
  });
  if (lastKey) await publishRoutes(services, [{ chatbotId, previousTargets: [] }]);
  return toApiKeyView(row);
}
