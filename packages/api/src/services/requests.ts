// request.list: a chatbot's ChatBotRequests log, newest first.
import type { ChatBotRequests, Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { type Page, toPage } from "../inputs/common.ts";
import type { Principal } from "./auth.ts";
import { assertChatbotInScope } from "./scope.ts";

export interface RequestLogEntry {
  id: number;
  createdAt: Date;
  chatbotId: number;
  sessionKey: string | null;
  isAggregation: boolean;
  request: Prisma.JsonValue;
}

function toRequestLogEntry(row: ChatBotRequests): RequestLogEntry {
  return {
    id: row.id,
    createdAt: row.createdAt,
    chatbotId: row.chatbotId,
    sessionKey: row.sessionKey,
    isAggregation: row.isAggregation,
    request: row.request,
  };
}

export async function listRequests(
  services: ApiServices,
  principal: Principal,
  input: { chatbotId: number; cursor?: number | undefined; limit: number },
): Promise<Page<RequestLogEntry>> {
  await assertChatbotInScope(services.db, principal, input.chatbotId);
  const rows = await services.db.chatBotRequests.findMany({
    where: {
      chatbotId: input.chatbotId,
      ...(input.cursor === undefined ? {} : { id: { lt: input.cursor } }),
    },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, toRequestLogEntry);
}
