// The audit trail (ChatBotEvent): every status change, with what it changed from and to.
import type { Prisma } from "@botgate/db";

export type EventType =
  | "chatbot.created"
  | "chatbot.deleted"
  | "chatbot.domain_detached"
  | "deployment.started"
  | "deployment.stopped"
  | "dns.status_changed"
  | "tls.status_changed"
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
  | "account.reactivated";

export interface NewEvent {
  type: EventType;
  chatbotId?: number | null;
  customDomainId?: number | null;
  data?: Prisma.InputJsonObject;
}

export async function recordEvents(
  tx: Prisma.TransactionClient,
  accountId: number,
  events: readonly NewEvent[],
): Promise<void> {
  if (events.length === 0) return;
  await tx.chatBotEvent.createMany({
    data: events.map((event) => ({
      accountId,
      type: event.type,
      chatbotId: event.chatbotId ?? null,
      customDomainId: event.customDomainId ?? null,
      data: event.data ?? {},
    })),
  });
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
