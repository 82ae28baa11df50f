import {
  createProviderInput,
  providerIdInput,
  testProviderInput,
  updateProviderInput,
} from "../inputs/provider.ts";
import {
  createProvider,
  deleteProvider,
  listProviders,
  testProvider,
  updateProvider,
} from "../services/providers.ts";
import { accountAdminProcedure, protectedProcedure, router } from "../trpc.ts";

export const providerRouter = router({
  /** Every member sees the account's providers (to pick one for a chatbot), never their keys. */
  list: protectedProcedure.query(({ ctx }) => listProviders(ctx.services, ctx.auth)),
  create: accountAdminProcedure
    .input(createProviderInput)
    .mutation(({ ctx, input }) => createProvider(ctx.services, ctx.auth, input)),
  update: accountAdminProcedure
    .input(updateProviderInput)
    .mutation(({ ctx, input }) => updateProvider(ctx.services, ctx.auth, input)),
  delete: accountAdminProcedure
    .input(providerIdInput)
    .mutation(({ ctx, input }) => deleteProvider(ctx.services, ctx.auth, input.id)),
  /** One tiny completion: its latency, or the error it maps to. */
  test: accountAdminProcedure
    .input(testProviderInput)
    .mutation(({ ctx, input }) => testProvider(ctx.services, ctx.auth, input)),
});
