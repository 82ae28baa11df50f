import { z } from "zod";
import { idSchema, pageInput, text } from "../inputs/common.ts";
import { ADMIN_TOKEN_MAX_LIFETIME_DAYS } from "../services/accounts.ts";
import { createOwnAdminToken, listAdminTokens, revokeAdminTokenInScope } from "../services/admin-tokens.ts";
import { listMembers, removeMemberOf } from "../services/members.ts";
import { accountAdminProcedure, protectedProcedure, router } from "../trpc.ts";

const tokensRouter = router({
  /** The caller's tokens, or (account admins) a member's, by userProfileId. */
  list: protectedProcedure
    .input(z.strictObject({ userProfileId: idSchema.optional(), ...pageInput }).default({ limit: 50 }))
    .query(({ ctx, input }) => listAdminTokens(ctx.services.db, ctx.auth, input)),
  /** A token for the caller; answers its plaintext once. Expires after 90 days unless told. */
  create: protectedProcedure
    .input(
      z.strictObject({
        name: text(255).default(""),
        expiresInDays: z.number().int().min(1).max(ADMIN_TOKEN_MAX_LIFETIME_DAYS).optional(),
      }),
    )
    .mutation(({ ctx, input }) => createOwnAdminToken(ctx.services.db, ctx.auth, input)),
  /** Revokes one of the caller's tokens, or (account admins) a member's. */
  revoke: protectedProcedure
    .input(z.strictObject({ id: idSchema }))
    .mutation(({ ctx, input }) => revokeAdminTokenInScope(ctx.services.db, ctx.auth, input.id)),
});

const membersRouter = router({
  list: accountAdminProcedure
    .input(z.strictObject(pageInput).default({ limit: 50 }))
    .query(({ ctx, input }) => listMembers(ctx.services.db, ctx.auth, input)),
  /** Removes a member and every token of theirs; refused for the last admin and for owners of chatbots or domains. */
  remove: accountAdminProcedure
    .input(z.strictObject({ userProfileId: idSchema }))
    .mutation(({ ctx, input }) => removeMemberOf(ctx.services.db, ctx.auth, input.userProfileId)),
});

export const accountRouter = router({
  /** The caller: user, profile and account, as authenticated from the token. */
  me: protectedProcedure.query(({ ctx }) => ctx.auth),
  tokens: tokensRouter,
  members: membersRouter,
});
