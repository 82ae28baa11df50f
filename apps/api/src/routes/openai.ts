// The OpenAI surface of every chatbot: /api/v1/chatbots/<id|hashed_id>/v1/chat/completions
// and /v1/models, OpenAI's contract exactly. Every non-2xx here (unknown path, wrong method,
// body too large, validation, credentials, not ready, provider failures) is OpenAI's error
// object, rendered by this sub-app's one error handler from BotgateError.toOpenAiBody().

import { botgateErrorOf, failureSummary } from "@botgate/api";
import { BotgateError } from "@botgate/core";
import { type Context, Hono } from "hono";
import { admit } from "../origin/admit.ts";
import { withRateLimitHeaders } from "../origin/chat-limits.ts";
import { chatServicesOf } from "../origin/chat-services.ts";
import { completionRequest } from "../origin/completion.ts";
import { clientPartOf, completionsSchema, parseCompletionsBody } from "../origin/openai-inputs.ts";
import { allowedModels, type ChatCompletion, type ChatCompletionChunk } from "../origin/provider.ts";
import { logRequest, type RequestLogEntry } from "../origin/request-log.ts";
import { retryHeadersOf } from "../origin/retry-headers.ts";
import { peekStream, SSE_HEADERS, sseBody, sseData } from "../origin/sse.ts";
import { completeTurn, replayProvider } from "../origin/tools.ts";
import type { Runtime } from "../runtime.ts";
import { limitBody, logFailure } from "./origin.ts";

/** Paths of the surface and the methods each answers (anything else: 404 / 405). */
const SURFACE: Record<string, readonly string[]> = {
  "/v1/chat/completions": ["POST"],
  "/v1/models": ["GET"],
};

/** OpenAI's error object, with the headers clients act on (retries, auth challenges). */
export function openAiErrorResponse(c: Context, err: unknown): Response {
  const requestId = c.get("requestId") as string;
  const known = botgateErrorOf(err);
  const error = known ?? new BotgateError("INTERNAL", "The server failed to handle this request.");
  if (known === null) console.error(`[${requestId}]`, err);
  else if (error.status >= 500) console.error(`[${requestId}] ${error.code}: ${failureSummary(err)}`);
  const headers: Record<string, string> = { "Cache-Control": "no-store", ...retryHeadersOf(error) };
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="botgate"';
  const allowed = error.details?.allowed;
  if (error.code === "METHOD_NOT_ALLOWED" && Array.isArray(allowed)) headers.Allow = allowed.join(", ");
  return c.json(error.toOpenAiBody(), error.status as 400, headers);
}

export function openAiRoutes(runtime: Runtime) {
  const { providers, limits, timings, toolRunner } = chatServicesOf(runtime);
  const schema = completionsSchema(limits);
  const app = new Hono().basePath("/api/v1/chatbots/:id/v1");
  app.onError((err, c) => openAiErrorResponse(c, err));
  app.use(withRateLimitHeaders());

  app.get("/models", async (c) => {
    const { chatbot } = await admit(c, runtime);
    const resolved = await providers.forChatbot(chatbot);
    const created = Math.floor(chatbot.createdAt.getTime() / 1000);
    return c.json({
      object: "list",
      data: allowedModels(chatbot, resolved).map((id) => ({
        id,
        object: "model",
        created,
        owned_by: chatbot.provider,
      })),
    });
  });

  app.post("/chat/completions", limitBody(), async (c) => {
    const admitted = await admit(c, runtime, { count: true });
    const { chatbot } = admitted;
    const body = parseCompletionsBody(await c.req.text(), schema);
    const resolved = await providers.forChatbot(chatbot);
    const models = allowedModels(chatbot, resolved);
    if (body.model !== undefined && !models.includes(body.model)) {
      throw new BotgateError(
        "NOT_FOUND",
        `The model '${body.model}' does not exist or this chatbot does not serve it.`,
        {
          param: "model",
          openaiCode: "model_not_found",
        },
      );
    }
    const { provider } = resolved;
    const client = clientPartOf(body);
    const request = completionRequest(
      { ...chatbot, defaultModel: chatbot.defaultModel ?? resolved.defaultModel },
      client.messages,
      {
        maxTokens: client.maxTokens,
        model: body.model,
        tools: client.tools,
        toolChoice: client.toolChoice,
      },
    );
    const log: Omit<RequestLogEntry, "usage" | "latencyMs" | "finishReason"> = {
      chatbotId: chatbot.id,
      sessionKey: null,
      command: "chat.completions",
      mode: admitted.mode,
      requestId: admitted.requestId,
      provider: provider.name,
      request,
      messageCount: client.messages.length,
      stream: body.stream === true,
    };
    // The chatbot's functions only when the client brought no tools: a client's own tools
    // pass to the provider unchanged and the client runs them (origin/tools.ts).
    const tools = client.tools === undefined ? toolRunner.toolsFor(chatbot) : [];
    const toolOptions = { maxRounds: toolRunner.maxRounds, signal: c.req.raw.signal };
    const started = performance.now();

    if (body.stream !== true) {
      let completion: ChatCompletion;
      try {
        ({ completion } = await completeTurn(provider, request, tools, toolOptions));
      } catch (error) {
        logFailure(runtime, log, started, error);
        throw error;
      }
      logRequest(runtime.db, {
        ...log,
        usage: completion.usage ?? null,
        latencyMs: performance.now() - started,
        finishReason: completion.choices[0]?.finish_reason ?? null,
      });
      return c.json(completion);
    }

    let peeked: Awaited<ReturnType<typeof peekStream>>;
    try {
      const streamed =
        tools.length === 0
          ? provider
          : replayProvider(
              provider.name,
              (await completeTurn(provider, request, tools, toolOptions)).completion,
            );
      peeked = await peekStream(streamed, request, timings, c.req.raw.signal);
    } catch (error) {
      logFailure(runtime, log, started, error);
      throw error;
    }
    const includeUsage = body.stream_options?.include_usage === true;
    const stream = sseBody(
      peeked,
      {
        // OpenAI's contract: with include_usage every chunk has `usage: null` and one last
        // chunk with `choices: []` carries it; without, no chunk has a usage field.
        chunk: (chunk) => {
          if (chunk.choices.length === 0) return [];
          const { usage: _, ...rest } = chunk;
          return [sseData(includeUsage ? { ...rest, usage: null } : rest)];
        },
        end: (outcome, last) => {
          if (!includeUsage) return [sseData("[DONE]")];
          if (outcome.usage === null) console.warn(`[${admitted.requestId}] provider reported no usage`);
          const usageChunk: ChatCompletionChunk = {
            id: last.id,
            object: "chat.completion.chunk",
            created: last.created,
            model: last.model,
            ...(last.system_fingerprint === undefined ? {} : { system_fingerprint: last.system_fingerprint }),
            choices: [],
            usage: outcome.usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
          };
          return [sseData(usageChunk), sseData("[DONE]")];
        },
        error: (error) => sseData(error.toOpenAiBody()),
        settled: (outcome) =>
          logRequest(runtime.db, {
            ...log,
            usage: outcome.usage,
            latencyMs: performance.now() - started,
            firstChunkMs: peeked.firstChunkMs,
            finishReason: outcome.finishReason,
            ...(outcome.error === null ? {} : { error: outcome.error.code }),
            clientGone: outcome.clientGone,
          }),
      },
      timings,
    );
    return c.body(stream, 200, SSE_HEADERS);
  });

  // Everything else below /v1: OpenAI's 404 or 405, never the platform's shape.
  app.all("*", (c) => {
    const path = new URL(c.req.url).pathname.replace(/^\/api\/v1\/chatbots\/[^/]+/, "").replace(/\/$/, "");
    const allowed = SURFACE[path];
    if (allowed === undefined) {
      throw new BotgateError("NOT_FOUND", `Unknown request URL: ${c.req.method} ${path}.`, {
        openaiCode: "unknown_url",
      });
    }
    throw new BotgateError("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${path}.`, {
      allowed,
      openaiCode: "method_not_allowed",
    });
  });

  return app;
}
