// The admin API over HTTP: tRPC at /trpc, the caller identified by its Authorization header.
import { type ApiServices, appRouter, createContext, failureSummary, retryAfterSeconds } from "@botgate/api";
import { trpcServer } from "@hono/trpc-server";
import { Hono } from "hono";
import type { Runtime } from "../runtime.ts";

export function trpcRoutes(runtime: Runtime) {
  const services: ApiServices = {
    db: runtime.db,
    routes: runtime.routes,
    config: runtime.config,
    provisioning: runtime.provisioning,
    logger: console,
  };
  return new Hono().use(
    "/trpc/*",
    trpcServer({
      router: appRouter,
      endpoint: "/trpc",
      createContext: (_opts, c) => createContext(services, c.req.header("authorization")),
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
    }),
  );
}
