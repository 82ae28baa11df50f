// The audit trail (ChatBotEvent): every status change, with what it changed from and to.
import type { Prisma } from "@botgate/db";
import { fanOutToWebhooks } from "./webhook-fanout.ts";

export type EventType =
  | "chatbot.created"
  | "chatbot.deleted"
  | "chatbot.domain_detached"
  | "deployment.started"
  | "deployment.stopped"
  | "dns.status_changed"
  | "tls.status_changed"
  | "dns.failing"
  | "dns.recovered"
  | "domain.created"
  | "domain.verified"
  | "domain.verification_failed"
  | "domain.deleted"
  | "domain.expired"
  | "domain.status_changed"
  | "domain.failing"
  | "domain.recovered"
  | "domain.unverified"
  | "apiKey.created"
  | "apiKey.revoked"
  | "adminToken.revoked"
  | "member.removed"
  | "account.suspended"
  | "account.reactivated"
  | "webhook.disabled"
  | "webhook.test";

export interface NewEvent {
  type: EventType;
  chatbotId?: number | null;
  customDomainId?: number | null;
  data?: Prisma.InputJsonObject;
}

/** Records events and queues their delivery to the account's matching webhook endpoints. */
export async function recordEvents(
  tx: Prisma.TransactionClient,
  accountId: number,
  events: readonly NewEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const rows = await tx.chatBotEvent.createManyAndReturn({
    data: events.map((event) => ({
      accountId,
      type: event.type,
      chatbotId: event.chatbotId ?? null,
      customDomainId: event.customDomainId ?? null,
      data: event.data ?? {},
    })),
    select: { id: true, type: true },
  });
  // In the same transaction: an event is recorded with its deliveries, or not at all.
  await fanOutToWebhooks(tx, accountId, rows);
}

/** A status change event, or none when the status did not change. */
export function statusChange(
  type: Extract<EventType, "dns.status_changed" | "tls.status_changed">,
  chatbotId: number,
  from: string,
  to: string,
): NewEvent[] {
  return from === to ? [] : [{ type, chatbotId, data: { from, to } }];
}
