// The chat origin's product endpoints: /api/v1/chatbots/<id|hashed_id>/ config/ and chat/,
// in the platform's JSON shapes (SPEC §6; errors in the platform's one error shape). The
// OpenAI surface below the same root is routes/openai.ts. Reached through the edge (signed
// forwards carrying the resolved mode, account, request id and client IP) or directly with
// a credential (see origin/caller.ts and origin/access.ts).
import { botgateErrorOf } from "@botgate/api";
import { BotgateError, hashedId } from "@botgate/core";
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type AdmittedRequest, admit } from "../origin/admit.ts";
import { withRateLimitHeaders } from "../origin/chat-limits.ts";
import { chatServicesOf } from "../origin/chat-services.ts";
import { configChatbotView } from "../origin/chatbot.ts";
import { completionRequest } from "../origin/completion.ts";
import { originInputs, parseBody, parseQuery } from "../origin/inputs.ts";
import type { ChatCompletion, ChatMessage, Usage } from "../origin/provider.ts";
import { logRequest, type RequestLogEntry } from "../origin/request-log.ts";
import { newSessionKey, openSession, sessionHistory, turnWrites } from "../origin/sessions.ts";
import { peekStream, SSE_HEADERS, sseBody, sseData, sseEvent } from "../origin/sse.ts";
import { completeTurn, replayProvider, storedTranscript } from "../origin/tools.ts";
import type { Runtime } from "../runtime.ts";

const API_NAME = "botgate/v1";
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The body rules of every chat endpoint: at most MAX_BODY_BYTES, and sent as is. Nothing here
 * inflates a compressed body (nor should it, past a byte limit that then means nothing), so a
 * Content-Encoding is refused by name rather than failing later as invalid JSON.
 */
export const limitBody = (): MiddlewareHandler => {
  const tooLarge = () =>
    new BotgateError("PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const encoding = c.req.header("content-encoding")?.trim().toLowerCase() ?? "identity";
    if (encoding !== "identity" && encoding !== "") {
      throw new BotgateError(
        "BAD_REQUEST",
        `Content-Encoding ${JSON.stringify(encoding.slice(0, 40))} is not supported: send the body uncompressed.`,
      );
    }
    // A declared length is checked here, as bodyLimit would: bodyLimit first touches the
    // request's body stream, which makes @hono/node-server build a web stream over the socket
    // instead of reading the body straight from it (about half a millisecond per request).
    const length = c.req.header("content-length");
    if (length !== undefined && c.req.header("transfer-encoding") === undefined) {
      if (Number.parseInt(length, 10) > MAX_BODY_BYTES) throw tooLarge();
      return next();
    }
    return limit(c, next);
  };
};

export function originRoutes(runtime: Runtime) {
  const { providers, limits, timings, toolRunner } = chatServicesOf(runtime);
  const inputs = originInputs(limits);
  const app = new Hono().basePath("/api/v1/chatbots/:id");
  app.use(withRateLimitHeaders());

  app.on(["GET", "POST"], ["/config/", "/config"], limitBody(), async (c) => {
    const admitted = await admit(c, runtime);
    const { chatbot } = admitted;
    const input =
      c.req.method === "POST"
        ? parseBody(await c.req.text(), inputs.config, true)
        : parseQuery(c.req.query(), inputs.config);
    const key = input.session_key ?? newSessionKey();
    return c.json({
      data: {
        session_key: key,
        sandbox_mode: admitted.mode === "sandbox",
        debug_mode: false,
        chatbot: configChatbotView(chatbot, runtime.config, admitted.mode),
        history: await sessionHistory(runtime.db, chatbot.id, key, {
          pageSize: limits.historyPageSize,
          before: input.history_cursor,
        }),
        meta_data: {
          mode: admitted.mode,
          request_id: admitted.requestId,
          access: admitted.grant.by,
          stale: false,
        },
      },
      api: API_NAME,
      thing: "ChatConfig",
      metadata: { command: "config" },
    });
  });

  app.post("/chat/", limitBody(), async (c) => {
    const admitted = await admit(c, runtime, { count: true });
    const { chatbot } = admitted;
    const input = parseBody(await c.req.text(), inputs.chat);
    const resolved = await providers.forChatbot(chatbot);
    const { provider } = resolved;
    const request = completionRequest(
      { ...chatbot, defaultModel: chatbot.defaultModel ?? resolved.defaultModel },
      input.messages,
    );
    const sessionInfo = {
      ipAddress: admitted.clientIp,
      userAgent: c.req.header("user-agent") ?? null,
      url: admitted.publicUrl,
    };
    const log: Omit<RequestLogEntry, "usage" | "latencyMs" | "finishReason" | "sessionKey"> = {
      chatbotId: chatbot.id,
      command: "chat",
      mode: admitted.mode,
      requestId: admitted.requestId,
      provider: provider.name,
      request,
      messageCount: input.messages.length,
      stream: input.stream === true,
    };
    // The session stores this turn only (its user message and the answer), never the whole
    // conversation the client sent along.
    const lastUser = input.messages.findLast((m) => m.role === "user");
    // The chatbot's enabled functions run at the origin (origin/tools.ts); their calls and
    // results are stored between the user's message and the answer.
    const tools = toolRunner.toolsFor(chatbot);
    const toolOptions = { maxRounds: toolRunner.maxRounds, signal: c.req.raw.signal };
    let transcript: ChatMessage[] = [];
    const storeTurn = async (answer: string) => {
      const session = await openSession(runtime.db, chatbot.id, input.session_key ?? null, sessionInfo);
      const turn = [
        ...(lastUser === undefined ? [] : [{ role: "user", content: lastUser.content }]),
        ...storedTranscript(transcript),
        { role: "assistant", content: answer },
      ];
      await runtime.db.$transaction(turnWrites(runtime.db, session.id, turn, 2 * limits.maxTurnsPerSession));
      return session;
    };
    const started = performance.now();

    if (input.stream !== true) {
      let completion: ChatCompletion;
      try {
        ({ completion, transcript } = await completeTurn(provider, request, tools, toolOptions));
      } catch (error) {
        logFailure(runtime, { ...log, sessionKey: input.session_key ?? null }, started, error);
        throw error;
      }
      const choice = completion.choices[0];
      const answered = {
        ...log,
        usage: completion.usage ?? null,
        latencyMs: performance.now() - started,
        finishReason: choice?.finish_reason ?? null,
      };
      let session: Awaited<ReturnType<typeof storeTurn>>;
      try {
        session = await storeTurn(choice?.message.content ?? "");
      } catch (error) {
        const failure = turnNotStored(admitted.requestId, error);
        logRequest(runtime.db, { ...answered, sessionKey: input.session_key ?? null, error: failure.code });
        throw failure;
      }
      logRequest(runtime.db, { ...answered, sessionKey: session.sessionKey });
      return c.json(
        envelope({ ...completion, metadata: chatMetadata(admitted, session.sessionKey, provider.name) }),
      );
    }

    // Streaming (see the README): the completion's chunks as SSE `data:` events, then one
    // `event: envelope` with what the non-streaming call answers, then `data: [DONE]`.
    let peeked: Awaited<ReturnType<typeof peekStream>>;
    try {
      // With functions the loop runs first and its answer is replayed as the stream.
      let streamed = provider;
      if (tools.length > 0) {
        const turn = await completeTurn(provider, request, tools, toolOptions);
        transcript = turn.transcript;
        streamed = replayProvider(provider.name, turn.completion);
      }
      peeked = await peekStream(streamed, request, timings, c.req.raw.signal);
    } catch (error) {
      logFailure(runtime, { ...log, sessionKey: input.session_key ?? null }, started, error);
      throw error;
    }
    let sessionKey: string | null = input.session_key ?? null;
    const body = sseBody(
      peeked,
      {
        chunk: (chunk) => (chunk.choices.length === 0 ? [] : [sseData({ ...chunk, usage: undefined })]),
        end: async (outcome, last) => {
          let session: Awaited<ReturnType<typeof storeTurn>>;
          try {
            session = await storeTurn(outcome.content);
          } catch (error) {
            // Ends the stream with this error's event; `settled` logs the request as failed.
            throw turnNotStored(admitted.requestId, error);
          }
          sessionKey = session.sessionKey;
          const completion: ChatCompletion = {
            id: last.id,
            object: "chat.completion",
            created: last.created,
            model: last.model,
            choices: [
              {
                index: 0,
                message: { role: "assistant", content: outcome.content, refusal: null },
                logprobs: null,
                finish_reason: (outcome.finishReason ?? "stop") as "stop",
              },
            ],
            ...(outcome.usage === null ? {} : { usage: outcome.usage }),
          };
          const metadata = chatMetadata(admitted, session.sessionKey, provider.name);
          return [sseEvent("envelope", envelope({ ...completion, metadata })), sseData("[DONE]")];
        },
        error: (error) => sseData(error.toBody(admitted.requestId)),
        settled: (outcome) =>
          logRequest(runtime.db, {
            ...log,
            sessionKey,
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
    return c.body(body, 200, SSE_HEADERS);
  });

  return app;
}

function chatMetadata(admitted: AdmittedRequest, sessionKey: string, provider: string) {
  return {
    session_key: sessionKey,
    chatbot_id: admitted.chatbot.id,
    hashed_id: hashedId(admitted.chatbot.id),
    mode: admitted.mode,
    provider,
    request_id: admitted.requestId,
  };
}

function envelope(body: unknown) {
  return {
    data: {
      isBase64Encoded: false,
      statusCode: 200,
      headers: { "Content-Type": "application/json" },
      body,
    },
    api: API_NAME,
    thing: "Chatbot",
    metadata: { command: "chat" },
  };
}

/**
 * What the client hears when the provider answered but the turn could not be stored: our
 * failure, never the client's (a value that does not fit would map to BAD_REQUEST) nor the
 * provider's. A database outage stays UNAVAILABLE (503, retry later); anything else is
 * INTERNAL. The cause is logged here, as the error handler logs only errors it does not know.
 */
function turnNotStored(requestId: string, error: unknown): BotgateError {
  console.error(`[${requestId}] the chat turn could not be stored`, error);
  const known = botgateErrorOf(error);
  if (known !== null && known.status >= 500) return known;
  const failure = new BotgateError("INTERNAL", "The answer could not be stored.");
  failure.cause = error;
  return failure;
}

/** A call whose provider failed before answering is logged too, with the error's code. */
export function logFailure(
  runtime: Runtime,
  log: Omit<RequestLogEntry, "usage" | "latencyMs" | "finishReason">,
  started: number,
  error: unknown,
): void {
  const known = error instanceof BotgateError ? error : null;
  // What only the owner may read: the provider's words, the usage of a tool loop that failed late.
  const { providerMessage, usage } = known?.logDetails ?? {};
  logRequest(runtime.db, {
    ...log,
    usage: isUsage(usage) ? usage : null,
    latencyMs: performance.now() - started,
    finishReason: null,
    error: known?.code ?? "INTERNAL",
    ...(typeof providerMessage === "string" ? { providerMessage } : {}),
  });
}

const isUsage = (value: unknown): value is Usage =>
  typeof value === "object" && value !== null && typeof (value as Usage).total_tokens === "number";
