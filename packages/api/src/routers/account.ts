import { protectedProcedure, router } from "../trpc.ts";

export const accountRouter = router({
  /** The caller: user, profile and account, as authenticated from the token. */
  me: protectedProcedure.query(({ ctx }) => ctx.auth),
});
