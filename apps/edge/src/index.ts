// The edge gateway: every request to a chatbot address (sandbox path, default host, by-id API
// path, custom host) is classified, resolved through the route tiers and then either
// answered here (the chat page) or forwarded, signed, to the origin.
import { BotgateError } from "@botgate/core";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { CHAT_PAGE_BYTES, chatPageHeaders } from "./chat-page.ts";
import { requireCredentialIfNeeded } from "./credentials.ts";
import { errorResponse, toBotgateError } from "./errors.ts";
import { forwardToOrigin, staleConfig } from "./forward.ts";
import { classifyChatbotRequest, resolveChatbot } from "./resolve.ts";
import { servicesFor } from "./services.ts";
import type { EdgeEnv } from "./types.ts";

const app = new Hono<EdgeEnv>();

// headerName "": a client's own X-Request-Id is never adopted, since the id is signed into
// the forward and ends up in the origin's logs and records.
app.use(requestId({ headerName: "" }));
app.use(async (c, next) => {
  await next();
  c.res.headers.set("X-Request-Id", c.get("requestId"));
});

app.all("*", async (c) => {
  const { config, resolver, origin } = servicesFor(c.env);
  const request = c.req.raw;
  const { classification, endpoint } = classifyChatbotRequest(request, config.platform);
  const chatbot = await resolveChatbot(resolver, classification);
  const timing = `route;desc="${chatbot.source}${chatbot.stale ? "-stale" : ""}"`;

  if (endpoint === "page") {
    return c.body(CHAT_PAGE_BYTES, 200, { ...(await chatPageHeaders()), "Server-Timing": timing });
  }

  requireCredentialIfNeeded(request, chatbot);

  let response: Response;
  try {
    response = await forwardToOrigin(origin, request, chatbot, endpoint, c.get("requestId"));
  } catch (error) {
    const originDown =
      error instanceof BotgateError && (error.code === "BAD_GATEWAY" || error.code === "GATEWAY_TIMEOUT");
    if (!originDown || endpoint !== "config") throw error;
    // The route is known but the origin is not answering: serve what the route record says.
    console.error(`[${c.get("requestId")}] origin failed, serving stale config: ${error.message}`);
    return c.json(staleConfig(chatbot, error), 200, { "Cache-Control": "no-store", "Server-Timing": timing });
  }
  response.headers.append("Server-Timing", timing);
  return response;
});

app.onError((error, c) => errorResponse(c, toBotgateError(error, c.get("requestId"))));

export default app;
