// Who may use a chatbot's chat endpoints, given the mode the request arrived in:
//   default / custom (public hosts): anyone while the chatbot has no active API key; otherwise
//     only one of its own keys.
//   sandbox (sandbox paths, by-id API paths, and every direct call to the origin): one of the
//     chatbot's own keys, or an admin token of the account that owns it.
// Credentials come as `Authorization: Bearer <secret>` or `X-API-Key: <secret>`, and are
// compared by their SHA-256 hash (hashSecret), as stored.
import { authenticate, hashSecret, LAST_USED_RESOLUTION_MS } from "@botgate/api";
import { BotgateError, type ChatbotMode } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";

/** Generated secrets are ~36 characters; anything far longer is not worth hashing. */
const MAX_CREDENTIAL_LENGTH = 256;

export type AccessGrant =
  | { by: "public" }
  | { by: "api_key"; apiKeyId: number }
  | { by: "admin_token"; userProfileId: number };

export function presentedCredential(headers: Headers): string | null {
  const apiKey = headers.get("x-api-key")?.trim();
  const bearer = /^Bearer +(\S+) *$/i.exec(headers.get("authorization") ?? "")?.[1];
  const credential = apiKey || bearer || null;
  return credential !== null && credential.length <= MAX_CREDENTIAL_LENGTH ? credential : null;
}

interface AccessSubject {
  id: number;
  accountId: number;
  activeApiKeys: number;
}

export async function authorizeChat(
  db: DatabaseClient,
  chatbot: AccessSubject,
  mode: Exclude<ChatbotMode, "unknown">,
  headers: Headers,
): Promise<AccessGrant> {
  const sandbox = mode === "sandbox";
  if (!sandbox && chatbot.activeApiKeys === 0) return { by: "public" };
  const credential = presentedCredential(headers);
  if (credential === null) {
    throw new BotgateError(
      "UNAUTHORIZED",
      sandbox
        ? "An admin token of the chatbot's account or one of its API keys is required."
        : "This chatbot requires one of its API keys (Authorization: Bearer or X-API-Key).",
      { required: sandbox ? "account_token_or_api_key" : "api_key" },
    );
  }
  const hash = hashSecret(credential);
  const key = await db.chatBotAPIKey.findFirst({
    where: { keyHash: hash, chatbotId: chatbot.id, isActive: true, revokedAt: null },
    select: { id: true, lastUsedAt: true },
  });
  if (key !== null) {
    await touchApiKey(db, key);
    return { by: "api_key", apiKeyId: key.id };
  }
  if (sandbox) {
    // The admin API's own rules (revoked, expired, inactive account); any failure is just "no".
    const principal = await authenticate(db, `Bearer ${credential}`).catch(() => null);
    if (principal !== null && principal.accountId === chatbot.accountId) {
      return { by: "admin_token", userProfileId: principal.userProfileId };
    }
  }
  throw new BotgateError("FORBIDDEN", "This credential does not give access to this chatbot.");
}

/** Like admin tokens: lastUsedAt is a hint, written at most once per interval. */
async function touchApiKey(db: DatabaseClient, key: { id: number; lastUsedAt: Date | null }): Promise<void> {
  const now = new Date();
  if (key.lastUsedAt !== null && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await db.chatBotAPIKey.updateMany({
    where: {
      id: key.id,
      OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }],
    },
    data: { lastUsedAt: now },
  });
}
