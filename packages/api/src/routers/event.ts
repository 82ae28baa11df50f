import { TRPCError, tracked } from "@trpc/server";
import { z } from "zod";
import { toTRPCError } from "../errors.ts";
import { idSchema } from "../inputs/common.ts";
import type { EventView } from "../services/event-log.ts";
import { followEvents, latestEventId } from "../services/event-stream.ts";
import { assertChatbotInScope, assertDomainInScope } from "../services/scope.ts";
import { protectedProcedure, router } from "../trpc.ts";

/** Failures while streaming happen after the middleware returned: map them here the same way. */
async function* mapped<T>(events: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* events;
  } catch (cause) {
    throw toTRPCError(
      cause instanceof TRPCError ? cause : new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause }),
    );
  }
}

async function* withIds(events: AsyncGenerator<EventView>) {
  for await (const event of events) yield tracked(String(event.id), event);
}

export const eventRouter = router({
  /**
   * Status events as they happen (deployments, DNS/TLS status, domain verification, keys),
   * over SSE. Each carries its id, so a reconnecting client resumes after the last one it saw;
   * a new subscription starts with the next event.
   */
  onChange: protectedProcedure
    .input(
      z
        .strictObject({
          chatbotId: idSchema.optional(),
          customDomainId: idSchema.optional(),
          /** Set by the client on reconnect (tracked ids); the event id to resume after. */
          lastEventId: z
            .string()
            .regex(/^\d{1,10}$/, "An event id.")
            .nullish(),
        })
        .default({}),
    )
    // Not a generator itself: refusals (scope, outage) are thrown before the stream starts,
    // through the tiers' error mapping.
    .subscription(async ({ ctx, input, signal }) => {
      const filter = { chatbotId: input.chatbotId, customDomainId: input.customDomainId };
      // Filtering by an id out of scope is refused like any other lookup of it.
      if (filter.chatbotId !== undefined)
        await assertChatbotInScope(ctx.services.db, ctx.auth, filter.chatbotId);
      if (filter.customDomainId !== undefined)
        await assertDomainInScope(ctx.services.db, ctx.auth, filter.customDomainId);
      const after = input.lastEventId
        ? Number(input.lastEventId)
        : await latestEventId(ctx.services, ctx.auth, filter);
      return mapped(withIds(followEvents(ctx.services, ctx.auth, filter, after, signal)));
    }),
});
