// tRPC setup: superjson, the error shape (with per-field messages), and the procedure tiers.
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import type { Context } from "./context.ts";
import { fieldErrorsOf, toTRPCError } from "./errors.ts";

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  // Stack traces never leave the server; the HTTP adapter's onError logs internal errors.
  isDev: false,
  // Subscriptions (event.onChange) over SSE: pings keep proxies from closing an idle stream;
  // a stream ends after 5 minutes and the client reconnects (resuming after its last event
  // id), which authenticates its token again.
  sse: {
    ping: { enabled: true, intervalMs: 15_000 },
    maxDurationMs: 5 * 60_000,
    client: { reconnectAfterInactivityMs: 40_000 },
  },
  errorFormatter({ shape, error }) {
    const { cause } = error;
    const flat = cause instanceof ZodError ? z.flattenError(cause) : null;
    const fieldErrors: Partial<Record<string, string[]>> | null = flat
      ? flat.fieldErrors
      : fieldErrorsOf(cause);
    return {
      ...shape,
      // zod's own message is its issues as JSON; say the same thing readably.
      message: cause instanceof ZodError ? z.prettifyError(cause) : shape.message,
      data: {
        ...shape.data,
        fieldErrors,
        formErrors: flat?.formErrors ?? null,
      },
    };
  },
});

export const router = t.router;

/** Maps every failure below it once (see errors.ts). In tRPC v11 next() reports failures as a result. */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error);
  return result;
});

export const publicProcedure = t.procedure.use(mapErrors);

/** Authenticated callers; input is validated only after authentication, so anonymous calls learn nothing. */
export const protectedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const auth = await ctx.principal();
  return next({ ctx: { auth } });
});

export const accountAdminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.auth.isAccountAdmin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only account admins may do this." });
  }
  return next();
});
