// Chat sessions: a `Chat` row per 64-hex session key and its messages in `ChatHistory`, each
// stored once and at most a configured number per session (oldest pruned). A session
// belongs to one chatbot; a key of another chatbot's session is never reused, the caller
// just gets a new session.
import { randomBytes } from "node:crypto";
import { type DatabaseClient, Prisma } from "@botgate/db";

export const SESSION_KEY_PATTERN = /^[0-9a-f]{64}$/;

export const newSessionKey = (): string => randomBytes(32).toString("hex");

export interface SessionInfo {
  ipAddress: string | null;
  userAgent: string | null;
  url: string | null;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

/** The chatbot's session with this key, created when there is none (or the key is missing). */
export async function openSession(
  db: DatabaseClient,
  chatbotId: number,
  requestedKey: string | null,
  info: SessionInfo,
): Promise<{ id: number; sessionKey: string }> {
  let sessionKey = requestedKey ?? newSessionKey();
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await db.chat.findUnique({
      where: { sessionKey },
      select: { id: true, chatbotId: true },
    });
    if (existing?.chatbotId === chatbotId) return { id: existing.id, sessionKey };
    if (existing) {
      sessionKey = newSessionKey();
      continue;
    }
    try {
      const chat = await db.chat.create({
        data: {
          sessionKey,
          chatbotId,
          ipAddress: info.ipAddress?.slice(0, 45) ?? null,
          userAgent: info.userAgent?.slice(0, 1000) ?? null,
          url: info.url?.slice(0, 2048) ?? null,
        },
        select: { id: true },
      });
      return { id: chat.id, sessionKey };
    } catch (error) {
      // Two first messages of one new session raced: the loser joins the winner's row.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new Error("could not open a chat session");
}

/**
 * The writes that store one turn: each message once (role and content), then the session's
 * oldest messages beyond `keepMessages` deleted. One statement prunes, so concurrent turns
 * of a session cannot leave it above the cap once they have all committed.
 */
/** One stored message: tool calls of an assistant message, call id and function name of a tool result. */
export interface StoredMessage {
  role: string;
  content: string;
  toolCalls?: Prisma.InputJsonValue | null;
  toolCallId?: string | null;
  name?: string | null;
}

// ES2024's String.prototype.toWellFormed (Node 20 has it; the project's TypeScript lib is ES2023).
const wellFormed = (text: string): string => (text as string & { toWellFormed(): string }).toWellFormed();

/**
 * Postgres text and jsonb cannot hold U+0000, nor jsonb a lone UTF-16 surrogate, and a
 * client or a provider may send either: the stored copy has U+FFFD in their place, in keys
 * and values however deep (the answer itself reaches the caller unchanged). Every value the
 * origin stores from a chat (history, request log) goes through here.
 */
export function storable<T>(value: T): T {
  if (typeof value === "string") return wellFormed(value).replaceAll("\u0000", "\uFFFD") as T;
  if (Array.isArray(value)) return value.map(storable) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [storable(key), storable(item)]),
    ) as T;
  }
  return value;
}

export function turnWrites(
  db: DatabaseClient,
  chatId: number,
  messages: readonly StoredMessage[],
  keepMessages: number,
): Prisma.PrismaPromise<unknown>[] {
  return [
    db.chatHistory.createMany({
      data: messages.map((m) => ({
        chatId,
        role: m.role,
        content: storable(m.content),
        toolCalls: m.toolCalls == null ? Prisma.DbNull : storable(m.toolCalls),
        toolCallId: storable(m.toolCallId ?? null),
        name: storable(m.name ?? null),
      })),
    }),
    db.$executeRaw`
      DELETE FROM "ChatHistory" WHERE "chatId" = ${chatId} AND "id" <= (
        SELECT "id" FROM "ChatHistory" WHERE "chatId" = ${chatId}
        ORDER BY "id" DESC OFFSET ${keepMessages} LIMIT 1)`,
  ];
}

export interface HistoryPage {
  pageSize: number;
  /** Only messages older than this id (a `next_cursor` of an earlier page). */
  before?: number | null | undefined;
}

/**
 * What /config/ shows of a session: nothing unless the key names one of this chatbot's
 * sessions. At most `pageSize` messages (the newest before the cursor, oldest first) and
 * the `pageSize` newest request log entries, only the columns shown.
 */
export async function sessionHistory(
  db: DatabaseClient,
  chatbotId: number,
  sessionKey: string,
  page: HistoryPage,
) {
  const chat = await db.chat.findUnique({
    where: { sessionKey },
    select: { id: true, chatbotId: true, sessionKey: true, createdAt: true, url: true },
  });
  if (chat === null || chat.chatbotId !== chatbotId) {
    return { chat: null, chat_history: [], chatbot_request_history: [], next_cursor: null };
  }
  const [newestFirst, requests] = await Promise.all([
    db.chatHistory.findMany({
      where: { chatId: chat.id, ...(page.before == null ? {} : { id: { lt: page.before } }) },
      orderBy: { id: "desc" },
      take: page.pageSize + 1,
      select: {
        id: true,
        role: true,
        content: true,
        createdAt: true,
        toolCalls: true,
        toolCallId: true,
        name: true,
      },
    }),
    db.chatBotRequests.findMany({
      where: { chatbotId, sessionKey },
      orderBy: { id: "desc" },
      take: page.pageSize,
      select: { id: true, createdAt: true, request: true },
    }),
  ]);
  const messages = newestFirst.slice(0, page.pageSize).reverse();
  const oldest = messages[0];
  return {
    chat: {
      id: chat.id,
      session_key: chat.sessionKey,
      created_at: chat.createdAt.toISOString(),
      url: chat.url,
    },
    chat_history: messages.map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      ...(m.toolCalls === null ? {} : { tool_calls: m.toolCalls }),
      ...(m.toolCallId === null ? {} : { tool_call_id: m.toolCallId }),
      ...(m.name === null ? {} : { name: m.name }),
      created_at: m.createdAt.toISOString(),
    })),
    chatbot_request_history: requests.map((r) => ({
      id: r.id,
      created_at: r.createdAt.toISOString(),
      request: r.request,
    })),
    /** Pass as `history_cursor` for the page before this one; null when this page is the oldest. */
    next_cursor: newestFirst.length > page.pageSize && oldest !== undefined ? String(oldest.id) : null,
  };
}
