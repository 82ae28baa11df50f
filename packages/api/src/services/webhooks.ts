// webhook.*: an account's webhook endpoints. The signing secret is answered once, at
// creation, and stored sealed (services.secrets), never returned again. Every member may see
// the endpoints and their deliveries; account admins manage them.
import { BotgateError } from "@botgate/core";
import type { WebhookDelivery, WebhookEndpoint } from "@botgate/db";
import { checkEndpointUrl, generateWebhookSecret } from "@botgate/webhooks";
import type { ApiServices } from "../context.ts";
import { type Page, toPage } from "../inputs/common.ts";
import type { Principal } from "./auth.ts";
import { notFound } from "./scope.ts";
import { type AttemptReport, attemptDelivery, webhookSettings } from "./webhook-delivery.ts";

/** Endpoints per account: enough for real use, bounded for fan-out cost. */
export const MAX_ENDPOINTS_PER_ACCOUNT = 20;

export interface WebhookEndpointView {
  id: number;
  url: string;
  description: string;
  /** Event types sent; empty: every type. */
  eventTypes: string[];
  enabled: boolean;
  enabledAt: Date;
  disabledAt: Date | null;
  disabledReason: string | null;
  failingSince: Date | null;
  createdAt: Date;
}

export interface NewWebhookEndpoint extends WebhookEndpointView {
  /** `whsec_...`: shown once; verify signatures with it. */
  secret: string;
}

export interface WebhookDeliveryView {
  id: number;
  eventId: number;
  status: WebhookDelivery["status"];
  attempts: number;
  lastAttemptAt: Date | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface WebhookTestResult extends WebhookDeliveryView {
  durationMs: number | null;
}

function toEndpointView(row: WebhookEndpoint): WebhookEndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.eventTypes,
    enabled: row.disabledAt === null,
    enabledAt: row.enabledAt,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    createdAt: row.createdAt,
  };
}

function toDeliveryView(row: WebhookDelivery): WebhookDeliveryView {
  return {
    id: row.id,
    eventId: row.eventId,
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.lastAttemptAt,
    lastResponseStatus: row.lastResponseStatus,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt,
    deliveredAt: row.deliveredAt,
    createdAt: row.createdAt,
  };
}

async function endpointInScope(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<WebhookEndpoint> {
  const row = await services.db.webhookEndpoint.findFirst({ where: { id, accountId: principal.accountId } });
  if (!row) throw notFound("webhook endpoint", id);
  return row;
}

export async function createWebhookEndpoint(
  services: ApiServices,
  principal: Principal,
  input: { url: string; description: string; eventTypes: string[] },
): Promise<NewWebhookEndpoint> {
  const check = checkEndpointUrl(input.url, { development: webhookSettings(services).development });
  if (!check.ok) {
    const message = `The URL ${check.reason}.`;
    throw new BotgateError("BAD_REQUEST", message, { fieldErrors: { url: [message] } });
  }
  const secret = generateWebhookSecret();
  const row = await services.db.$transaction(async (tx) => {
    const count = await tx.webhookEndpoint.count({ where: { accountId: principal.accountId } });
    if (count >= MAX_ENDPOINTS_PER_ACCOUNT) {
      throw new BotgateError(
        "CONFLICT",
        `An account has at most ${MAX_ENDPOINTS_PER_ACCOUNT} webhook endpoints.`,
      );
    }
    return tx.webhookEndpoint.create({
      data: {
        accountId: principal.accountId,
        url: check.url.href,
        description: input.description,
        eventTypes: [...new Set(input.eventTypes)].sort(),
        secretSealed: services.secrets.seal(secret),
      },
    });
  });
  return { ...toEndpointView(row), secret };
}

export async function listWebhookEndpoints(
  services: ApiServices,
  principal: Principal,
): Promise<WebhookEndpointView[]> {
  const rows = await services.db.webhookEndpoint.findMany({
    where: { accountId: principal.accountId },
    orderBy: { id: "asc" },
  });
  return rows.map(toEndpointView);
}

/** Deletes the endpoint and its deliveries; queued attempts then find nothing to send. */
export async function deleteWebhookEndpoint(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<WebhookEndpointView> {
  const row = await endpointInScope(services, principal, id);
  await services.db.webhookEndpoint.deleteMany({ where: { id, accountId: principal.accountId } });
  return toEndpointView(row);
}

/** Re-enables a disabled endpoint, with a clean failing streak. Idempotent. */
export async function enableWebhookEndpoint(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<WebhookEndpointView> {
  const row = await endpointInScope(services, principal, id);
  if (row.disabledAt === null) return toEndpointView(row);
  const updated = await services.db.webhookEndpoint.update({
    where: { id },
    data: { disabledAt: null, disabledReason: null, failingSince: null, enabledAt: new Date() },
  });
  return toEndpointView(updated);
}

/**
 * Sends a `webhook.test` event to this endpoint now (one attempt, even when disabled) and
 * answers how it went. The endpoint's health is left alone.
 */
export async function testWebhookEndpoint(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<WebhookTestResult> {
  const endpoint = await endpointInScope(services, principal, id);
  const delivery = await services.db.$transaction(async (tx) => {
    // Written directly, not through recordEvents: a test goes to this endpoint only.
    const event = await tx.chatBotEvent.create({
      data: {
        accountId: principal.accountId,
        type: "webhook.test",
        data: { endpointId: endpoint.id, message: "A test event from botgate." },
      },
    });
    return tx.webhookDelivery.create({
      data: { endpointId: endpoint.id, eventId: event.id, nextAttemptAt: new Date() },
    });
  });
  const report: AttemptReport = await attemptDelivery(services, delivery.id, { test: true });
  const row = await services.db.webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
  return { ...toDeliveryView(row), durationMs: report.result?.durationMs ?? null };
}

/** An endpoint's deliveries, newest first. */
export async function listWebhookDeliveries(
  services: ApiServices,
  principal: Principal,
  input: { id: number; cursor?: number | undefined; limit: number },
): Promise<Page<WebhookDeliveryView>> {
  await endpointInScope(services, principal, input.id);
  const rows = await services.db.webhookDelivery.findMany({
    where: { endpointId: input.id, ...(input.cursor === undefined ? {} : { id: { lt: input.cursor } }) },
    orderBy: { id: "desc" },
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, toDeliveryView);
}

/** Bounded storage: finished deliveries older than `before` are deleted (a periodic job calls this). */
export async function deleteOldWebhookDeliveries(db: ApiServices["db"], before: Date): Promise<number> {
  const { count } = await db.webhookDelivery.deleteMany({
    where: { status: { in: ["delivered", "failed"] }, createdAt: { lt: before } },
  });
  return count;
}
