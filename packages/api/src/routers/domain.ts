import { z } from "zod";
import { idSchema, pageInput } from "../inputs/common.ts";
import { createDomain, deleteDomain, getDomain, listDomains, verifyDomain } from "../services/domains.ts";
import { listDomainEvents } from "../services/event-log.ts";
import { accountAdminProcedure, protectedProcedure, router } from "../trpc.ts";

const domainIdInput = z.strictObject({ id: idSchema });

// Every member sees the account's domains (to attach them to chatbots); account admins manage them.
export const domainRouter = router({
  list: protectedProcedure
    .input(z.strictObject(pageInput).default({ limit: 50 }))
    .query(({ ctx, input }) => listDomains(ctx.services, ctx.auth, input)),
  get: protectedProcedure
    .input(domainIdInput)
    .query(({ ctx, input }) => getDomain(ctx.services, ctx.auth, input.id)),
  /** Claims a domain and answers the DNS instructions to follow before domain.verify. */
  create: accountAdminProcedure
    // Normalized and checked by core's normalizeDomainName (it needs the platform's reserved names).
    .input(z.strictObject({ domainName: z.string().max(1000) }))
    .mutation(({ ctx, input }) => createDomain(ctx.services, ctx.auth, input)),
  /** Checks ownership now, through DNS. */
  verify: accountAdminProcedure
    .input(domainIdInput)
    .mutation(({ ctx, input }) => verifyDomain(ctx.services, ctx.auth, input.id)),
  delete: accountAdminProcedure
    .input(domainIdInput)
    .mutation(({ ctx, input }) => deleteDomain(ctx.services, ctx.auth, input.id)),
  /** The domain's status changes (old → new, reason, time), newest first. */
  events: protectedProcedure
    .input(z.strictObject({ id: idSchema, ...pageInput }))
    .query(({ ctx, input }) => listDomainEvents(ctx.services, ctx.auth, input)),
});
