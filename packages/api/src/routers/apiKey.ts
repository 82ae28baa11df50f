import { z } from "zod";
import { idSchema, text } from "../inputs/common.ts";
import { createApiKey, listApiKeys, revokeApiKey } from "../services/api-keys.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const apiKeyRouter = router({
  /** Answers the key's plaintext; it is never shown again. */
  create: protectedProcedure
    .input(z.strictObject({ chatbotId: idSchema, name: text(255).default("") }))
    .mutation(({ ctx, input }) => createApiKey(ctx.services, ctx.auth, input)),
  list: protectedProcedure
    .input(z.strictObject({ chatbotId: idSchema }))
    .query(({ ctx, input }) => listApiKeys(ctx.services, ctx.auth, input.chatbotId)),
  revoke: protectedProcedure
    .input(z.strictObject({ id: idSchema }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.services, ctx.auth, input.id)),
});
