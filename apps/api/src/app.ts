// The API process's HTTP surface: health, the tRPC admin API, the edge's resolve endpoint
// and the chat origin. One error handler turns every failure into the platform's JSON shape.
import { BotgateError } from "@botgate/core";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { healthRoutes } from "./routes/health.ts";
import { internalRoutes } from "./routes/internal.ts";
import { operatorRoutes } from "./routes/operator.ts";
import { originRoutes } from "./routes/origin.ts";
import { trpcRoutes } from "./routes/trpc.ts";
import type { Runtime } from "./runtime.ts";

export function createApp(runtime: Runtime) {
  const app = new Hono();
  app.use(requestId());
  app.route("/", healthRoutes(runtime));
  app.route("/", trpcRoutes(runtime));
  app.route("/", internalRoutes(runtime));
  app.route("/", originRoutes(runtime));
  app.route("/", operatorRoutes(runtime));
  app.notFound((c) => {
    const error = new BotgateError(
      "NOT_FOUND",
      `no route for ${c.req.method} ${new URL(c.req.url).pathname}`,
    );
    return c.json(error.toBody(c.get("requestId")), 404);
  });
  app.onError((err, c) => {
    const error =
      err instanceof BotgateError
        ? err
        : new BotgateError("INTERNAL", "the server failed to handle this request");
    if (!(err instanceof BotgateError)) console.error(`[${c.get("requestId")}]`, err);
    return c.json(error.toBody(c.get("requestId")), error.status as 500);
  });
  return app;
}
