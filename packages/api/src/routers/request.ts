import { z } from "zod";
import { idSchema, pageInput } from "../inputs/common.ts";
import { listRequests } from "../services/requests.ts";
import { protectedProcedure, router } from "../trpc.ts";

export const requestRouter = router({
  /** A chatbot's request log, newest first. */
  list: protectedProcedure
    .input(z.strictObject({ chatbotId: idSchema, ...pageInput }))
    .query(({ ctx, input }) => listRequests(ctx.services, ctx.auth, input)),
});
