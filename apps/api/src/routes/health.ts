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
      return c.json(
        {
          status: "unavailable",
          database: { kind: runtime.databaseKind, ok: false, error: (error as Error).message },
          routeCache: runtime.routeCache.kind,
        },
        503,
      );
    }
  });
}
