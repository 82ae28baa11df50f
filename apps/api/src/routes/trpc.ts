// The admin API over HTTP: tRPC at /trpc, the caller identified by its Authorization header.
import { type ApiServices, appRouter, createContext } from "@botgate/api";
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
    domainClaimTtlHours: runtime.env.DOMAIN_CLAIM_TTL_HOURS,
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
      },
    }),
  );
}
