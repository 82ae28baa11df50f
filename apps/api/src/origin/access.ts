// Who may use a chatbot's chat endpoints, given the mode the request arrived in:
//   default / custom (public hosts): anyone while the chatbot has no active API key; otherwise
//     only one of its own keys (missing: 401, wrong: 403; the host itself is public).
//   sandbox (sandbox paths, by-id API paths, and every direct call to the origin): one of the
//     chatbot's own keys, or an admin token whose scope holds the chatbot (chatbotScope: an
//     account admin's reaches every chatbot of the account, a member's only their own). Any
//     other request, with no credential or one that does not reach this chatbot, answers
//     exactly as an unknown id does, so the sandbox never tells whether an id exists.
// Credentials come as `Authorization: Bearer <secret>` or `X-API-Key: <secret>`, and are
// compared by their SHA-256 hash (hashSecret), as stored. Keys of a suspended account are
// refused with the account (the chatbot itself is unknown then, see loadChatbot).
import { authenticate, hashSecret, isChatbotInScope, LAST_USED_RESOLUTION_MS } from "@botgate/api";
import { BotgateError, type ChatbotMode } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import { unknownChatbot } from "./chatbot.ts";

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
    if (sandbox) throw unknownChatbot();
    throw new BotgateError(
      "UNAUTHORIZED",
      "This chatbot requires one of its API keys (Authorization: Bearer or X-API-Key).",
      { required: "api_key" },
    );
  }
  const hash = hashSecret(credential);
  const key = await db.chatBotAPIKey.findFirst({
    where: {
      keyHash: hash,
      chatbotId: chatbot.id,
      isActive: true,
      revokedAt: null,
      chatbot: { account: { isActive: true } },
    },
    select: { id: true, lastUsedAt: true },
  });
  if (key !== null) {
    await touchApiKey(db, key);
    return { by: "api_key", apiKeyId: key.id };
  }
  if (!sandbox) throw new BotgateError("FORBIDDEN", "This credential does not give access to this chatbot.");
  // The admin API's own rules (revoked, expired, inactive account) and its own scope.
  const principal = await authenticate(db, `Bearer ${credential}`).catch((error: unknown) => {
    if (error instanceof BotgateError) return null;
    throw error;
  });
  if (principal !== null && (await isChatbotInScope(db, principal, chatbot.id))) {
    return { by: "admin_token", userProfileId: principal.userProfileId };
  }
  throw unknownChatbot();
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
