// The admin API over HTTP: tRPC at /trpc, the caller identified by its Authorization header.
// Bounded before any procedure runs: at most MAX_BATCH_SIZE calls per batch (tRPC's own
// maxBatchSize: BAD_REQUEST) and MAX_BODY_BYTES per body (PAYLOAD_TOO_LARGE, 413), both in
// tRPC's error shape so typed clients read them like any other error.
import { appRouter, createContext, failureSummary, retryAfterSeconds } from "@botgate/api";
import { trpcServer } from "@hono/trpc-server";
import { TRPCError } from "@trpc/server";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Runtime } from "../runtime.ts";
import { apiServicesOf } from "../services.ts";

export const MAX_BATCH_SIZE = 20;
export const MAX_BODY_BYTES = 1024 * 1024;

type Env = { Variables: { bodyTooLarge: boolean } };

export function trpcRoutes(runtime: Runtime) {
  const services = apiServicesOf(runtime);
  const handler = trpcServer({
    router: appRouter,
    endpoint: "/trpc",
    maxBatchSize: MAX_BATCH_SIZE,
    createContext: (_opts, c) => {
      // Every call of the request then fails with this error, rendered by tRPC itself.
      if (c.get("bodyTooLarge")) {
        throw new TRPCError({
          code: "PAYLOAD_TOO_LARGE",
          message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`,
        });
      }
      return createContext(services, c.req.header("authorization"));
    },
    onError: ({ error, path }) => {
      if (error.code === "INTERNAL_SERVER_ERROR")
        console.error(`trpc ${path ?? "?"} failed:`, error.cause ?? error);
      if (retryAfterSeconds(error.cause) !== null)
        console.error(`trpc ${path ?? "?"} ${error.code}: ${failureSummary(error.cause?.cause)}`);
    },
    // A database outage answers SERVICE_UNAVAILABLE (HTTP 503): say when to come back.
    responseMeta: ({ errors }) => {
      const seconds = errors.map((error) => retryAfterSeconds(error.cause)).find((s) => s !== null);
      return seconds === undefined ? {} : { headers: { "Retry-After": String(seconds) } };
    },
  });
  return new Hono<Env>().use(
    "/trpc/*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: async (c) => {
        c.set("bodyTooLarge", true);
        // The oversized body is never read again: tRPC gets the request without it.
        c.req.raw = new Request(c.req.url, { method: c.req.method, headers: c.req.raw.headers });
        // The tRPC middleware always answers; the fallback only satisfies its type.
        const response = (await handler(c, async () => {})) ?? c.body(null, 413);
        // The rest of the body was never read: the connection cannot carry another request.
        response.headers.set("connection", "close");
        return response;
      },
    }),
    handler,
  );
}
