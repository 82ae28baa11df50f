// One attempt of one webhook delivery, and what it changes: the delivery's status and next
// attempt, the endpoint's failing streak, and disabling (410 Gone, or failing for
// WEBHOOK_DISABLE_AFTER_HOURS). Called by the `webhook.deliver` job and by webhook.test.
import type { Prisma } from "@botgate/db";
import {
  DEFAULT_RETRY_SCHEDULE,
  type DeliveryResult,
  deliverWebhook,
  nextRetryDelayMs,
  type RetrySchedule,
  webhookPayload,
} from "@botgate/webhooks";
import type { ApiServices } from "../context.ts";
import { recordEvents } from "./events.ts";
import { currentDeliveryQueue } from "./webhook-fanout.ts";

export interface WebhookSettings {
  /** A development setup: http and loopback/private endpoints are allowed. */
  development: boolean;
  /** How long one attempt may wait for an answer (WEBHOOK_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** An endpoint failing this long is disabled (WEBHOOK_DISABLE_AFTER_HOURS). */
  disableAfterMs: number;
  schedule: RetrySchedule;
  /** Finished deliveries are kept this long (WEBHOOK_DELIVERY_RETENTION_DAYS). */
  retentionMs: number;
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  development: false,
  timeoutMs: 15_000,
  disableAfterMs: 24 * 60 * 60 * 1_000,
  schedule: DEFAULT_RETRY_SCHEDULE,
  retentionMs: 30 * 86_400_000,
};

export function webhookSettings(services: Pick<ApiServices, "webhooks">): WebhookSettings {
  return services.webhooks ?? DEFAULT_WEBHOOK_SETTINGS;
}

/** The `webhook-id` of an event's message: the same on every attempt and every endpoint. */
export const messageIdOf = (eventId: number) => `evt_${eventId}`;

export type AttemptStatus = "delivered" | "retrying" | "failed" | "skipped";

export interface AttemptReport {
  status: AttemptStatus;
  result: DeliveryResult | null;
  nextAttemptAt: Date | null;
}

export interface AttemptOptions {
  /** A one-off test: no retries, and the endpoint's health is left alone. */
  test?: boolean;
  now?: () => Date;
}

const ERROR_MAX = 500;
/** A job may start a little before its delivery's due time (clock skew between hosts). */
const EARLY_SLACK_MS = 1_000;

export async function attemptDelivery(
  services: Pick<ApiServices, "db" | "secrets" | "webhooks">,
  deliveryId: number,
  options: AttemptOptions = {},
): Promise<AttemptReport> {
  const settings = webhookSettings(services);
  const now = options.now ?? (() => new Date());
  const delivery = await services.db.webhookDelivery.findUnique({
    where: { id: deliveryId },
    include: { endpoint: true, event: true },
  });
  if (delivery?.status !== "pending") return { status: "skipped", result: null, nextAttemptAt: null };
  // A job queued twice for one delivery: the one for a later attempt waits for its time.
  const due = delivery.nextAttemptAt?.getTime() ?? 0;
  if (!options.test && due > now().getTime() + EARLY_SLACK_MS) {
    return { status: "skipped", result: null, nextAttemptAt: delivery.nextAttemptAt };
  }
  const { endpoint, event } = delivery;
  if (endpoint.disabledAt !== null && !options.test) {
    await services.db.webhookDelivery.update({
      where: { id: deliveryId },
      data: { status: "failed", nextAttemptAt: null, lastError: "the endpoint is disabled" },
    });
    return { status: "skipped", result: null, nextAttemptAt: null };
  }

  const payload = webhookPayload(event.type, event.createdAt, {
    ...(event.data as Record<string, unknown>),
    eventId: event.id,
    chatbotId: event.chatbotId,
    customDomainId: event.customDomainId,
  });
  let secret: string;
  try {
    secret = services.secrets.open(endpoint.secretSealed);
  } catch {
    // SECRETS_ENCRYPTION_KEY changed: no retry can sign this; say so instead of retrying forever.
    await services.db.webhookDelivery.update({
      where: { id: deliveryId },
      data: { status: "failed", nextAttemptAt: null, lastError: "the endpoint's secret cannot be decrypted" },
    });
    return { status: "failed", result: null, nextAttemptAt: null };
  }
  const result = await deliverWebhook({
    url: endpoint.url,
    secret,
    messageId: messageIdOf(event.id),
    payload,
    timeoutMs: settings.timeoutMs,
    refusePrivateAddresses: !settings.development,
  });
  const attemptedAt = now();
  const attempts = delivery.attempts + 1;
  const recorded = {
    attempts,
    lastAttemptAt: attemptedAt,
    lastResponseStatus: result.status,
    lastError: result.error?.slice(0, ERROR_MAX) ?? null,
  };

  return services.db.$transaction(async (tx) => {
    if (result.outcome === "delivered") {
      await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: { ...recorded, status: "delivered", deliveredAt: attemptedAt, nextAttemptAt: null },
      });
      if (!options.test)
        await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { failingSince: null } });
      return { status: "delivered", result, nextAttemptAt: null };
    }
    if (options.test) {
      await tx.webhookDelivery.update({
        where: { id: deliveryId },
        data: { ...recorded, status: "failed", nextAttemptAt: null },
      });
      return { status: "failed", result, nextAttemptAt: null };
    }
    const failingSince = endpoint.failingSince ?? attemptedAt;
    const disableReason =
      result.outcome === "disable"
        ? "The endpoint answered 410 Gone."
        : attemptedAt.getTime() - failingSince.getTime() >= settings.disableAfterMs
          ? `Every delivery failed for ${formatHours(settings.disableAfterMs)}.`
          : null;
    const delay = disableReason === null ? nextRetryDelayMs(attempts, settings.schedule) : null;
    const nextAttemptAt = delay === null ? null : new Date(attemptedAt.getTime() + delay);
    await tx.webhookDelivery.update({
      where: { id: deliveryId },
      data: { ...recorded, status: nextAttemptAt ? "pending" : "failed", nextAttemptAt },
    });
    if (disableReason !== null) {
      await disableEndpoint(tx, endpoint, disableReason, attemptedAt);
    } else if (endpoint.failingSince === null) {
      await tx.webhookEndpoint.updateMany({
        where: { id: endpoint.id, failingSince: null },
        data: { failingSince: attemptedAt },
      });
    }
    if (nextAttemptAt) await currentDeliveryQueue()?.enqueueDelivery(tx, deliveryId, nextAttemptAt);
    else await pruneFinished(tx, endpoint.id, attemptedAt, settings);
    return { status: nextAttemptAt ? "retrying" : "failed", result, nextAttemptAt };
  });
}

/**
 * Bounded storage: each finished delivery removes its endpoint's finished deliveries past the
 * retention, so an endpoint holds at most what it receives in that period.
 */
async function pruneFinished(
  tx: Prisma.TransactionClient,
  endpointId: number,
  now: Date,
  settings: WebhookSettings,
) {
  await tx.webhookDelivery.deleteMany({
    where: {
      endpointId,
      status: { in: ["delivered", "failed"] },
      createdAt: { lt: new Date(now.getTime() - settings.retentionMs) },
    },
  });
}

async function disableEndpoint(
  tx: Prisma.TransactionClient,
  endpoint: { id: number; accountId: number; url: string },
  reason: string,
  at: Date,
): Promise<void> {
  // Only the first disabler records the event (two deliveries may fail at once).
  const { count } = await tx.webhookEndpoint.updateMany({
    where: { id: endpoint.id, disabledAt: null },
    data: { disabledAt: at, disabledReason: reason },
  });
  if (count === 0) return;
  await recordEvents(tx, endpoint.accountId, [
    { type: "webhook.disabled", data: { endpointId: endpoint.id, url: endpoint.url, reason } },
  ]);
}

function formatHours(ms: number): string {
  const [value, unit] =
    ms >= 3_600_000
      ? [ms / 3_600_000, "hours"]
      : ms >= 60_000
        ? [ms / 60_000, "minutes"]
        : [ms / 1_000, "seconds"];
  return `${Number(value.toFixed(1))} ${unit}`;
}
