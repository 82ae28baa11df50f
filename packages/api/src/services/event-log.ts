// chatbot.events / domain.events: the audit trail of one chatbot or custom domain, newest
// first. Events keep what changed (old → new), why and when; scope is checked on the subject,
// so another account's ids (and, for members, another member's chatbots) are not found.
import type { ChatBotEvent, Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { type Page, toPage } from "../inputs/common.ts";
import type { Principal } from "./auth.ts";
import { assertChatbotInScope, assertDomainInScope } from "./scope.ts";

export interface EventView {
  id: number;
  createdAt: Date;
  type: string;
  chatbotId: number | null;
  customDomainId: number | null;
  /** The status before the change, when the event is a status change. */
  from: string | null;
  /** The status after the change. */
  to: string | null;
  /** Why, in a customer's words, when there is a reason. */
  reason: string | null;
  /** Everything the event recorded (domain name, host, checks...). */
  data: Prisma.JsonValue;
}

function stringField(data: Prisma.JsonValue, key: string): string | null {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const value = (data as Prisma.JsonObject)[key];
  return typeof value === "string" ? value : null;
}

export function toEventView(row: ChatBotEvent): EventView {
  return {
    id: row.id,
    createdAt: row.createdAt,
    type: row.type,
    chatbotId: row.chatbotId,
    customDomainId: row.customDomainId,
    from: stringField(row.data, "from"),
    to: stringField(row.data, "to"),
    reason: stringField(row.data, "reason"),
    data: row.data,
  };
}

interface EventPageInput {
  id: number;
  cursor?: number | undefined;
  limit: number;
}

async function eventPage(
  services: ApiServices,
  where: Prisma.ChatBotEventWhereInput,
  input: EventPageInput,
): Promise<Page<EventView>> {
  const rows = await services.db.chatBotEvent.findMany({
    where: { ...where, ...(input.cursor === undefined ? {} : { id: { lt: input.cursor } }) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, toEventView);
}

export async function listChatbotEvents(
  services: ApiServices,
  principal: Principal,
  input: EventPageInput,
): Promise<Page<EventView>> {
  await assertChatbotInScope(services.db, principal, input.id);
  return eventPage(services, { accountId: principal.accountId, chatbotId: input.id }, input);
}

export async function listDomainEvents(
  services: ApiServices,
  principal: Principal,
  input: EventPageInput,
): Promise<Page<EventView>> {
  await assertDomainInScope(services.db, principal, input.id);
  return eventPage(services, { accountId: principal.accountId, customDomainId: input.id }, input);
}
