// The chatbots the chat origin admits requests by, and the API keys presented to them, kept
// per process. Each request reads one number first: the chatbot's admissionVersion, which
// database triggers change with everything admission depends on (the row, its active keys,
// functions, custom domain, owner and account; migration 20261206200000). A cached entry of
// another version is never used, so a revoked key, an undeploy or a suspension stops at once
// on every origin process, whichever writer made the change; the joined load runs only when
// the version moved. Versions only grow: an entry at least as new as the version read serves.
import { type DatabaseClient, databasePoolOf, type Prisma } from "@botgate/db";
import { LRUCache } from "lru-cache";

export const originChatbotInclude = {
  account: { select: { accountNumber: true, isActive: true } },
  userProfile: { select: { isAccountAdmin: true, user: { select: { username: true } } } },
  customDomain: { select: { domainName: true, isVerified: true } },
  _count: { select: { apiKeys: { where: { isActive: true } } } },
  // Here rather than in a query of their own: the chat endpoints offer them to the model.
  functions: { select: { name: true } },
} satisfies Prisma.ChatBotInclude;

export type OriginChatbot = Prisma.ChatBotGetPayload<{ include: typeof originChatbotInclude }>;

/** An active key of a chatbot, by the hash of what was presented; lastUsedAt as last written. */
export interface CachedApiKey {
  id: number;
  lastUsedAt: Date | null;
}

interface Entry {
  version: number;
  /** null: the id exists but its account is suspended (answered like an unknown id). */
  chatbot: OriginChatbot | null;
}

const MAX_CHATBOTS = 10_000;
/** Presented credentials, found or not: a flood of invented keys only evicts its own kind. */
const MAX_CREDENTIALS = 50_000;

export class ChatbotCache {
  readonly #db: DatabaseClient;
  readonly #entries: LRUCache<number, Entry>;
  readonly #keys: LRUCache<string, CachedApiKey | false, { chatbotId: number; hash: string }>;

  constructor(db: DatabaseClient) {
    this.#db = db;
    // fetch() shares one load among concurrent requests for the same chatbot (or key).
    this.#entries = new LRUCache({
      max: MAX_CHATBOTS,
      fetchMethod: async (id) => {
        const row = await db.chatBot.findUnique({ where: { id }, include: originChatbotInclude });
        if (row === null) return undefined;
        return { version: row.admissionVersion, chatbot: row.account.isActive ? row : null };
      },
    });
    this.#keys = new LRUCache({
      max: MAX_CREDENTIALS,
      fetchMethod: async (_key, _stale, { context }) => {
        const row = await db.chatBotAPIKey.findFirst({
          where: { keyHash: context.hash, chatbotId: context.chatbotId, isActive: true, revokedAt: null },
          select: { id: true, lastUsedAt: true },
        });
        return row ?? false;
      },
    });
  }

  /** The chatbot's admission version now, or null when no chatbot has this id. */
  async version(id: number): Promise<number | null> {
    // The pool rather than Prisma: this runs on every chat request, and the raw read costs
    // about half as much.
    const { rows } = await databasePoolOf(this.#db).query<{ version: number }>(
      'SELECT "admissionVersion" AS "version" FROM "ChatBot" WHERE "id" = $1',
      [id],
    );
    return rows[0]?.version ?? null;
  }

  /** The chatbot at `version` (or newer); null when it is gone or its account is suspended. */
  async chatbot(id: number, version: number): Promise<OriginChatbot | null> {
    let entry = this.#entries.get(id);
    if (entry === undefined || entry.version < version) {
      entry = await this.#entries.fetch(id, { forceRefresh: true });
      // A load that was already running may have read the row before this version: once more.
      if (entry !== undefined && entry.version < version) {
        entry = await this.#entries.fetch(id, { forceRefresh: true });
      }
    }
    return entry?.chatbot ?? null;
  }

  /** The chatbot's active key with this hash, as of `version` (the chatbot's, just read). */
  async apiKey(chatbotId: number, version: number, hash: string): Promise<CachedApiKey | null> {
    const found = await this.#keys.fetch(`${chatbotId}:${version}:${hash}`, { context: { chatbotId, hash } });
    return found || null;
  }
}
