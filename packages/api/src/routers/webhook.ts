import { z } from "zod";
import { idSchema, pageInput, text } from "../inputs/common.ts";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  enableWebhookEndpoint,
  listWebhookDeliveries,
  listWebhookEndpoints,
  testWebhookEndpoint,
} from "../services/webhooks.ts";
import { accountAdminProcedure, protectedProcedure, router } from "../trpc.ts";

const endpointIdInput = z.strictObject({ id: idSchema });

/** An event type such as `dns.status_changed` (the column holds 64 characters). */
const eventType = z
  .string()
  .max(64)
  .regex(/^[a-z][a-zA-Z]*(\.[a-z][a-z_]*)+$/, "Must be an event type such as dns.status_changed.");

// Every member sees the account's endpoints and deliveries; account admins manage them.
export const webhookRouter = router({
  /** Answers the signing secret (whsec_...); it is never shown again. */
  create: accountAdminProcedure
    .input(
      z.strictObject({
        // Checked by @botgate/webhooks' checkEndpointUrl (https, no credentials, no private hosts).
        url: text(2_048),
        description: text(255).default(""),
        /** Empty: every event type. */
        eventTypes: z.array(eventType).max(50).default([]),
      }),
    )
    .mutation(({ ctx, input }) => createWebhookEndpoint(ctx.services, ctx.auth, input)),
  list: protectedProcedure.query(({ ctx }) => listWebhookEndpoints(ctx.services, ctx.auth)),
  delete: accountAdminProcedure
    .input(endpointIdInput)
    .mutation(({ ctx, input }) => deleteWebhookEndpoint(ctx.services, ctx.auth, input.id)),
  /** Re-enables an endpoint disabled after 410 Gone or a day of failures. */
  enable: accountAdminProcedure
    .input(endpointIdInput)
    .mutation(({ ctx, input }) => enableWebhookEndpoint(ctx.services, ctx.auth, input.id)),
  /** Sends a `webhook.test` event to the endpoint now and answers the delivery's outcome. */
  test: accountAdminProcedure
    .input(endpointIdInput)
    .mutation(({ ctx, input }) => testWebhookEndpoint(ctx.services, ctx.auth, input.id)),
  /** The endpoint's deliveries, newest first: status, attempts, last response, error, times. */
  deliveries: protectedProcedure
    .input(z.strictObject({ id: idSchema, ...pageInput }))
    .query(({ ctx, input }) => listWebhookDeliveries(ctx.services, ctx.auth, input)),
});
