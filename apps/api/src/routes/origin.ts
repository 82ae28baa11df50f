// The chat origin: /api/v1/chatbots/<id|hashed_id>/ config/, chat/ and v1/chat/completions.
// Reached through the edge (signed forwards carrying the resolved mode, account, request id
// and client IP) or directly with a credential (see origin/caller.ts and origin/access.ts).
import { BotgateError, type ChatbotMode, customHost, hashedId, isLive } from "@botgate/core";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { type AccessGrant, authorizeChat } from "../origin/access.ts";
import { forwardedMode, identifyCaller } from "../origin/caller.ts";
import {
  chatbotFacts,
  configChatbotView,
  loadChatbot,
  type OriginChatbot,
  unknownChatbot,
} from "../origin/chatbot.ts";
import { completionRequest } from "../origin/completion.ts";
import { chatLimitsOf, originInputs, parseBody, parseQuery } from "../origin/inputs.ts";
import { platformProviderOf, providerResolver } from "../origin/provider.ts";
import { requestLogWrite } from "../origin/request-log.ts";
import { newSessionKey, openSession, sessionHistory, turnWrites } from "../origin/sessions.ts";
import type { Runtime } from "../runtime.ts";

const API_NAME = "botgate/v1";
const MAX_BODY_BYTES = 1024 * 1024;

/** A request the origin agreed to serve, and everything known about it. */
interface AdmittedRequest {
  chatbot: OriginChatbot;
  mode: Exclude<ChatbotMode, "unknown">;
  grant: AccessGrant;
  requestId: string;
  clientIp: string | null;
  /** The public address the request came to (edge forwards only). */
  publicUrl: string | null;
}

async function admit(c: Context, runtime: Runtime): Promise<AdmittedRequest> {
  const caller = await identifyCaller(c, runtime);
  const chatbot = await loadChatbot(runtime.db, c.req.param("id") ?? "");
  let mode: AdmittedRequest["mode"] = "sandbox";
  if (caller.kind === "edge") {
    mode = forwardedMode(caller.context);
    // The edge resolved this chatbot under this account: if the database disagrees, the
    // route it used is stale, and nothing is answered under the wrong chatbot or account.
    if (
      caller.context.chatbotId !== String(chatbot.id) ||
      caller.context.accountNumber !== chatbot.account.accountNumber
    ) {
      throw unknownChatbot();
    }
  }
  const facts = chatbotFacts(chatbot);
  // Public modes re-check what the edge's (possibly seconds old) route record said.
  if (mode === "custom" && customHost(facts) === null) throw unknownChatbot();
  if (mode !== "sandbox" && !isLive(facts)) {
    throw new BotgateError("NOT_READY", "This chatbot is not ready to serve on this host yet.", {
      deployed: facts.deployed,
      dnsVerificationStatus: facts.dnsVerificationStatus,
      tlsCertificateIssuanceStatus: facts.tlsCertificateIssuanceStatus,
    });
  }
  const grant = await authorizeChat(
    runtime.db,
    { id: chatbot.id, accountId: chatbot.accountId, activeApiKeys: chatbot._count.apiKeys },
    mode,
    c.req.raw.headers,
  );
  // The public address only from signed fields: X-Forwarded-* headers are never read.
  const forwardedHost = caller.kind === "edge" ? caller.context.forwardedHost : "";
  return {
    chatbot,
    mode,
    grant,
    // identifyCaller made the edge's signed request id this request's id.
    requestId: c.get("requestId"),
    clientIp: caller.kind === "edge" ? caller.context.clientIp || null : caller.clientIp,
    publicUrl:
      caller.kind === "edge" && forwardedHost
        ? `${caller.context.forwardedProto === "http" ? "http" : "https"}://${forwardedHost}/`
        : null,
  };
}

export function originRoutes(runtime: Runtime) {
  const providers = providerResolver({
    db: runtime.db,
    secrets: runtime.secrets,
    platform: platformProviderOf(runtime.env),
  });
  const limits = chatLimitsOf(runtime.env);
  const inputs = originInputs(limits);
  const app = new Hono().basePath("/api/v1/chatbots/:id");
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new BotgateError("PAYLOAD_TOO_LARGE", `The request body exceeds ${MAX_BODY_BYTES} bytes.`);
      },
    }),
  );

  app.on(["GET", "POST"], ["/config/", "/config"], async (c) => {
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

  app.post("/chat/", async (c) => {
    const admitted = await admit(c, runtime);
    const { chatbot } = admitted;
    const input = parseBody(await c.req.text(), inputs.chat);
    const resolved = await providers.forChatbot(chatbot);
    const { provider } = resolved;
    const request = completionRequest(
      { ...chatbot, defaultModel: chatbot.defaultModel ?? resolved.defaultModel },
      input.messages,
    );
    const started = performance.now();
    const completion = await provider.complete(request);
    const latencyMs = performance.now() - started;
    const session = await openSession(runtime.db, chatbot.id, input.session_key ?? null, {
      ipAddress: admitted.clientIp,
      userAgent: c.req.header("user-agent") ?? null,
      url: admitted.publicUrl,
    });
    const choice = completion.choices[0];
    const answer = choice?.message.content ?? "";
    // The session stores this turn only (its user message and the answer), never the whole
    // conversation the client sent along.
    const lastUser = input.messages.findLast((m) => m.role === "user");
    const turn = [
      ...(lastUser === undefined ? [] : [{ role: "user", content: lastUser.content }]),
      { role: "assistant", content: answer },
    ];
    await runtime.db.$transaction([
      ...turnWrites(runtime.db, session.id, turn, 2 * limits.maxTurnsPerSession),
      requestLogWrite(runtime.db, {
        chatbotId: chatbot.id,
        sessionKey: session.sessionKey,
        command: "chat",
        mode: admitted.mode,
        requestId: admitted.requestId,
        provider: provider.name,
        request,
        messageCount: input.messages.length,
        stream: false,
        usage: completion.usage,
        latencyMs,
        finishReason: choice?.finish_reason ?? null,
      }),
    ]);
    const metadata = {
      session_key: session.sessionKey,
      chatbot_id: chatbot.id,
      hashed_id: hashedId(chatbot.id),
      mode: admitted.mode,
      provider: provider.name,
      request_id: admitted.requestId,
    };
    return c.json({
      data: {
        isBase64Encoded: false,
        statusCode: 200,
        headers: { "Content-Type": "application/json" },
        body: { ...completion, metadata },
      },
      api: API_NAME,
      thing: "Chatbot",
      metadata: { command: "chat" },
    });
  });

  app.post("/v1/chat/completions", async (c) => {
    const admitted = await admit(c, runtime);
    const { chatbot } = admitted;
    const input = parseBody(await c.req.text(), inputs.completions);
    const resolved = await providers.forChatbot(chatbot);
    const { provider } = resolved;
    const request = completionRequest(
      { ...chatbot, defaultModel: chatbot.defaultModel ?? resolved.defaultModel },
      input.messages,
      { maxTokens: input.max_tokens },
    );
    const logEntry = {
      chatbotId: chatbot.id,
      sessionKey: null,
      command: "chat.completions",
      mode: admitted.mode,
      requestId: admitted.requestId,
      provider: provider.name,
      request,
      messageCount: input.messages.length,
      stream: input.stream ?? false,
    } as const;
    const started = performance.now();
    if (!input.stream) {
      const completion = await provider.complete(request);
      await requestLogWrite(runtime.db, {
        ...logEntry,
        usage: completion.usage,
        latencyMs: performance.now() - started,
        finishReason: completion.choices[0]?.finish_reason ?? null,
      });
      return c.json(completion);
    }
    return streamSSE(c, async (stream) => {
      let finishReason: string | null = null;
      let failure: BotgateError | undefined;
      try {
        for await (const chunk of provider.stream(request)) {
          finishReason = chunk.choices[0]?.finish_reason ?? finishReason;
          await stream.writeSSE({ data: JSON.stringify(chunk) });
        }
        await stream.writeSSE({ data: "[DONE]" });
      } catch (error) {
        // Headers are gone by now: the error travels as a last event, OpenAI's way.
        failure =
          error instanceof BotgateError ? error : new BotgateError("BAD_GATEWAY", "The provider failed.");
        await stream.writeSSE({ data: JSON.stringify(failure.toBody(admitted.requestId)) });
      } finally {
        // Logged once the stream ends (or the client left), so the latency is the whole answer's.
        await requestLogWrite(runtime.db, {
          ...logEntry,
          usage: null,
          latencyMs: performance.now() - started,
          finishReason,
          ...(failure === undefined ? {} : { error: failure.code }),
        });
      }
    });
  });

  return app;
}
