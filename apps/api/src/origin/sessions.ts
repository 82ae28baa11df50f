// Chat sessions: a `Chat` row per 64-hex session key, its messages in `ChatHistory`, and
// every answered request in `ChatBotRequests`. A session belongs to one chatbot; a key of
// another chatbot's session is never reused, the caller just gets a new session.
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

/** What /config/ shows of a session: nothing unless the key names one of this chatbot's sessions. */
export async function sessionHistory(db: DatabaseClient, chatbotId: number, sessionKey: string) {
  const chat = await db.chat.findUnique({
    where: { sessionKey },
    include: { history: { orderBy: { id: "asc" }, take: 200 } },
  });
  if (chat === null || chat.chatbotId !== chatbotId) {
    return { chat: null, chat_history: [], chatbot_request_history: [] };
  }
  const requests = await db.chatBotRequests.findMany({
    where: { chatbotId, sessionKey },
    orderBy: { id: "desc" },
    take: 50,
  });
  return {
    chat: {
      id: chat.id,
      session_key: chat.sessionKey,
      created_at: chat.createdAt.toISOString(),
      url: chat.url,
    },
    chat_history: chat.history.map((m) => ({
      id: m.id,
      role: m.role,
      content: m.content,
      created_at: m.createdAt.toISOString(),
    })),
    chatbot_request_history: requests.map((r) => ({
      id: r.id,
      created_at: r.createdAt.toISOString(),
      request: r.request,
    })),
  };
}
