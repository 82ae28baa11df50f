// The API process's HTTP surface: health, the tRPC admin API, the edge's resolve endpoint
// and the chat origin. One error handler turns every failure into the platform's JSON shape.
import { botgateErrorOf, failureSummary } from "@botgate/api";
import { BotgateError } from "@botgate/core";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { retryHeadersOf } from "./origin/retry-headers.ts";
import { adminRoutes } from "./routes/admin.ts";
import { healthRoutes } from "./routes/health.ts";
import { internalRoutes } from "./routes/internal.ts";
import { openAiRoutes } from "./routes/openai.ts";
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
  // The OpenAI surface first: its own error handler answers OpenAI's error object.
  app.route("/", openAiRoutes(runtime));
  app.route("/", originRoutes(runtime));
  app.route("/", operatorRoutes(runtime));
  app.route("/", adminRoutes(runtime.env.ADMIN_DIST_DIR));
  app.notFound((c) => {
    const error = new BotgateError(
      "NOT_FOUND",
      `no route for ${c.req.method} ${new URL(c.req.url).pathname}`,
    );
    return c.json(error.toBody(c.get("requestId")), 404);
  });
  // The same mapping as the tRPC API's (packages/api errors.ts): a database outage is a 503
  // with Retry-After, anything unexpected an opaque 500 whose details only the log sees.
  app.onError((err, c) => {
    const requestId = c.get("requestId");
    const known = botgateErrorOf(err);
    const error = known ?? new BotgateError("INTERNAL", "the server failed to handle this request");
    if (known === null) console.error(`[${requestId}]`, err);
    else if (known !== err && known.status >= 500)
      console.error(`[${requestId}] ${known.code}: ${failureSummary(err)}`);
    const { "X-Should-Retry": _, ...headers } = retryHeadersOf(error);
    return c.json(error.toBody(requestId), error.status as 500, headers);
  });
  return app;
}
