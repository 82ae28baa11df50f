// The live event stream behind event.onChange: ChatBotEvent rows after a cursor, in the
// caller's scope, found by polling the database (one indexed range query per interval).
import type { Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import type { Principal } from "./auth.ts";
import { type EventView, toEventView } from "./event-log.ts";

export const DEFAULT_EVENT_POLL_MS = 1_500;
const BATCH = 100;

/**
 * Account admins see every event of their account; members see their own chatbots' events and
 * the account's domain events (every member sees the account's domains), nothing about
 * tokens, keys or members of others.
 */
export function eventScope(principal: Principal): Prisma.ChatBotEventWhereInput {
  if (principal.isAccountAdmin) return { accountId: principal.accountId };
  return {
    accountId: principal.accountId,
    OR: [
      { chatbot: { userProfileId: principal.userProfileId } },
      { chatbotId: null, customDomainId: { not: null }, type: { startsWith: "domain." } },
    ],
  };
}

export interface EventFilter {
  chatbotId?: number | undefined;
  customDomainId?: number | undefined;
}

function whereOf(principal: Principal, filter: EventFilter): Prisma.ChatBotEventWhereInput {
  return {
    ...eventScope(principal),
    ...(filter.chatbotId === undefined ? {} : { chatbotId: filter.chatbotId }),
    ...(filter.customDomainId === undefined ? {} : { customDomainId: filter.customDomainId }),
  };
}

/** The newest event id in scope (0 when none): a new subscription starts after it. */
export async function latestEventId(
  services: Pick<ApiServices, "db">,
  principal: Principal,
  filter: EventFilter,
): Promise<number> {
  const row = await services.db.chatBotEvent.findFirst({
    where: whereOf(principal, filter),
    orderBy: { id: "desc" },
    select: { id: true },
  });
  return row?.id ?? 0;
}

export function eventsAfter(
  services: Pick<ApiServices, "db">,
  principal: Principal,
  filter: EventFilter,
  afterId: number,
): Promise<EventView[]> {
  return services.db.chatBotEvent
    .findMany({
      where: { ...whereOf(principal, filter), id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: BATCH,
    })
    .then((rows) => rows.map(toEventView));
}

/** Waits `ms`, or less when the subscriber goes away. */
export function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** Every event in scope after `afterId`, as it is written, until `signal` aborts. */
export async function* followEvents(
  services: Pick<ApiServices, "db" | "eventPollIntervalMs">,
  principal: Principal,
  filter: EventFilter,
  afterId: number,
  signal: AbortSignal | undefined,
): AsyncGenerator<EventView> {
  let cursor = afterId;
  const interval = services.eventPollIntervalMs ?? DEFAULT_EVENT_POLL_MS;
  while (!signal?.aborted) {
    const rows = await eventsAfter(services, principal, filter, cursor);
    for (const row of rows) {
      cursor = row.id;
      yield row;
    }
    if (rows.length < BATCH) await pause(interval, signal);
  }
}
