// Who may use a chatbot's chat endpoints, given the mode the request arrived in:
//   default / custom (public hosts): anyone while the chatbot has no active API key; otherwise
//     only one of its own keys (missing: 401, wrong: 403; the host itself is public).
//   sandbox (sandbox paths, by-id API paths, and every direct call to the origin): one of the
//     chatbot's own keys, or an admin token whose scope holds the chatbot (chatbotScope: an
//     account admin's reaches every chatbot of the account, a member's only their own). Any
//     other request, with no credential or one that does not reach this chatbot, answers
//     exactly as an unknown id does, so the sandbox never tells whether an id exists.
// Credentials come as `Authorization: Bearer <secret>` or `X-API-Key: <secret>`, and are
// compared by their SHA-256 hash (hashSecret), as stored; API keys through the origin's cache
// (chatbot-cache.ts), at the chatbot's admission version. Keys of a suspended account are
// refused with the account (the chatbot itself is unknown then, see loadChatbot).
import {
  authenticate,
  hashSecret,
  isChatbotRowInScope,
  LAST_USED_RESOLUTION_MS,
  type Principal,
} from "@botgate/api";
import { BotgateError, type ChatbotMode } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import { inBackground } from "./background.ts";
import { unknownChatbot } from "./chatbot.ts";
import type { CachedApiKey, ChatbotCache } from "./chatbot-cache.ts";

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

/** Where credentials are looked up: admin tokens in the database, API keys in the cache. */
export interface CredentialStores {
  db: DatabaseClient;
  chatbots: ChatbotCache;
}

interface AccessSubject {
  id: number;
  accountId: number;
  userProfileId: number;
  activeApiKeys: number;
  /** The admission version the chatbot was loaded at. */
  version: number;
}

/**
 * The reads that decide what a presented credential is worth, started together: the key of
 * this chatbot with that hash and, where admin tokens count (sandbox), the token with it.
 * Neither says anything until authorizeChat awaits it in its own order; a credential that is
 * an API key finds no token (and so touches none), and the other way round.
 */
export interface CredentialLookup {
  apiKey: Promise<CachedApiKey | null>;
  /** null where admin tokens do not count. */
  adminToken: Promise<Principal | null> | null;
}

/**
 * null when the request presents no usable credential. `version`: the chatbot's admission
 * version (null: no such chatbot), read or being read.
 */
export function lookUpCredential(
  stores: CredentialStores,
  chatbotId: number,
  version: Promise<number | null>,
  headers: Headers,
  { adminTokens }: { adminTokens: boolean },
): CredentialLookup | null {
  const credential = presentedCredential(headers);
  if (credential === null) return null;
  const hash = hashSecret(credential);
  const apiKey = version.then((current) =>
    current === null ? null : stores.chatbots.apiKey(chatbotId, current, hash),
  );
  // The admin API's own rules (revoked, expired, inactive account).
  const adminToken = adminTokens
    ? authenticate(stores.db, `Bearer ${credential}`).catch((error: unknown) => {
        if (error instanceof BotgateError) return null;
        throw error;
      })
    : null;
  // Awaited later, or never when the request is refused first.
  apiKey.catch(() => {});
  adminToken?.catch(() => {});
  return { apiKey, adminToken };
}

/**
 * `early`: lookUpCredential's reads, when the caller started them before the chatbot loaded
 * (for this chatbot id, with admin tokens counted exactly when the mode is sandbox).
 */
export async function authorizeChat(
  stores: CredentialStores,
  chatbot: AccessSubject,
  mode: Exclude<ChatbotMode, "unknown">,
  headers: Headers,
  early?: CredentialLookup | null,
): Promise<AccessGrant> {
  const sandbox = mode === "sandbox";
  if (!sandbox && chatbot.activeApiKeys === 0) return { by: "public" };
  const lookup =
    early !== undefined
      ? early
      : lookUpCredential(stores, chatbot.id, Promise.resolve(chatbot.version), headers, {
          adminTokens: sandbox,
        });
  if (lookup === null) {
    if (sandbox) throw unknownChatbot();
    throw new BotgateError(
      "UNAUTHORIZED",
      "This chatbot requires one of its API keys (Authorization: Bearer or X-API-Key).",
      { required: "api_key" },
    );
  }
  const key = await lookup.apiKey;
  if (key !== null) {
    touchApiKey(stores.db, key);
    return { by: "api_key", apiKeyId: key.id };
  }
  if (!sandbox) throw new BotgateError("FORBIDDEN", "This credential does not give access to this chatbot.");
  // The token's scope, checked against the chatbot row admission loaded (no second read).
  const principal = await (lookup.adminToken ?? Promise.resolve(null));
  if (principal !== null && isChatbotRowInScope(principal, chatbot)) {
    return { by: "admin_token", userProfileId: principal.userProfileId };
  }
  throw unknownChatbot();
}

/**
 * Like admin tokens: lastUsedAt is a hint, written at most once per interval (per process, as
 * the cached key remembers it; across processes, by the condition), after the answer.
 */
function touchApiKey(db: DatabaseClient, key: CachedApiKey): void {
  const now = new Date();
  if (key.lastUsedAt !== null && now.getTime() - key.lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  key.lastUsedAt = now;
  inBackground(`api key ${key.id} last used`, () =>
    db.chatBotAPIKey.updateMany({
      where: {
        id: key.id,
        OR: [
          { lastUsedAt: null },
          { lastUsedAt: { lte: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } },
        ],
      },
      data: { lastUsedAt: now },
    }),
  );
}
