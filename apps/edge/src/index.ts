// The edge gateway: every request to a chatbot address (sandbox path, default host, by-id API
// path, custom host) is classified, resolved through the route tiers and then either
// answered here (the chat page) or forwarded, signed, to the origin.
import { BotgateError } from "@botgate/core";
import { clientKeyOf } from "@botgate/limits";
import { type Context, Hono } from "hono";
import { chatAsset, chatPage, NO_EMBED_ORIGINS, widgetScript } from "./chat-page.ts";
import { credentialRequiredBy, requireCredential } from "./credentials.ts";
import { errorResponse, toBotgateError } from "./errors.ts";
import { clientIpOf, forwardToOrigin, staleConfig } from "./forward.ts";
import { isOriginDown, ORIGIN_RETRY_AFTER_SECONDS } from "./origin.ts";
import { ASSET_PREFIX, classifyChatbotRequest, isByIdAddress, resolveChatbot } from "./resolve.ts";
import { servicesFor } from "./services.ts";
import type { EdgeEnv } from "./types.ts";

// One catch-all route, so Hono need not work out the path: the handler reads the URL once
// (in workerd each read of request.url serializes it afresh, about 2 µs of an L1 hit).
const app = new Hono<EdgeEnv>({ getPath: () => "/" });

// The request's id, in X-Request-Id on every answer (errorResponse sets it on errors). A
// client's own X-Request-Id is never adopted: the id is signed into the forward and ends up in
// the origin's logs and records. One handler and no middleware: Hono calls a lone handler
// directly, without composing a chain, and each layer costs an L1 hit about a microsecond.
app.all("*", async (c) => {
  const requestId = crypto.randomUUID();
  c.set("requestId", requestId);
  const response = await answer(c, requestId);
  response.headers.set("X-Request-Id", requestId);
  return response;
});

async function answer(c: Context<EdgeEnv>, requestId: string): Promise<Response> {
  const { classifier, resolver, origin } = servicesFor(c.env);
  const request = c.req.raw;
  const { classification, endpoint, pathname } = classifyChatbotRequest(request, classifier);

  // The page's own files are the same for every chatbot: nothing to resolve.
  if (endpoint === "asset") return chatAsset(c.env, classification.rest.slice(ASSET_PREFIX.length));
  // The page loads its files relative to its own address, which must therefore end in '/'.
  if (endpoint === "page" && !pathname.endsWith("/")) {
    return c.redirect(`${pathname}/${new URL(request.url).search}`, 308);
  }

  // An id path must not tell a caller without a credential whether the id exists: the page is
  // the same constant page for every well-formed id (it asks for the credential and then calls
  // config/), and every other endpoint wants a credential before anything is looked up.
  if (isByIdAddress(classification)) {
    if (endpoint === "page") return chatPage(c.env, NO_EMBED_ORIGINS);
    requireCredential(request, "account_token_or_api_key");
  }

  const chatbot = await resolveChatbot(resolver, classification, () => clientKeyOf(clientIpOf(request)));
  const timing = `route;desc="${chatbot.source}${chatbot.stale ? "-stale" : ""}"`;

  if (endpoint === "page") return chatPage(c.env, chatbot.record.embedOrigins, timing);
  if (endpoint === "widget") return widgetScript(c.env, timing);

  const required = credentialRequiredBy(chatbot);
  requireCredential(request, required);

  let response: Response;
  try {
    response = await forwardToOrigin(origin, request, chatbot, endpoint, requestId);
  } catch (error) {
    if (endpoint !== "config" || !isOriginDown(error)) throw error;
    // A credential the origin did not check is worth nothing: only a chatbot that needs none
    // gets its /config/ from the route record.
    if (required !== null) {
      const retryAfterSeconds = error.details?.retryAfterSeconds;
      throw new BotgateError("UNAVAILABLE", "The chatbot is temporarily unavailable; try again shortly.", {
        retryAfterSeconds:
          typeof retryAfterSeconds === "number" ? retryAfterSeconds : ORIGIN_RETRY_AFTER_SECONDS,
      });
    }
    // The route is known but the origin is not answering: serve what the route record says.
    console.error(`[${requestId}] origin failed, serving stale config: ${error.message}`);
    return c.json(staleConfig(chatbot, error), 200, { "Cache-Control": "no-store", "Server-Timing": timing });
  }
  response.headers.append("Server-Timing", timing);
  return response;
}

app.onError((error, c) => errorResponse(c, toBotgateError(error, c.get("requestId"))));

export default app;
