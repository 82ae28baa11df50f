import { DATABASE_RETRY_AFTER_SECONDS, failureSummary } from "@botgate/api";
import { Hono } from "hono";
import type { Runtime } from "../runtime.ts";

/** Liveness plus a real round trip to the database: a 503 means "do not send traffic here". */
export function healthRoutes(runtime: Runtime) {
  return new Hono().get("/health", async (c) => {
    const started = performance.now();
    try {
      await runtime.db.$queryRaw`SELECT 1`;
      return c.json({
        status: "ok",
        database: {
          kind: runtime.databaseKind,
          ok: true,
          latencyMs: Math.round(performance.now() - started),
        },
        routeCache: runtime.routeCache.kind,
      });
    } catch (error) {
      // The driver's message names hosts, ports and users: the log gets it, the caller does not.
      console.error(`health: the database check failed: ${failureSummary(error)}`);
      return c.json(
        {
          status: "unavailable",
          database: { kind: runtime.databaseKind, ok: false, error: "The database did not answer." },
          routeCache: runtime.routeCache.kind,
        },
        503,
        { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
      );
    }
  });
}
