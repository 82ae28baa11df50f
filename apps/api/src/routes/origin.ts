// The chat origin: /api/v1/chatbots/<id|hashed_id>/ config/, chat/ and v1/chat/completions.
// Reached through the edge (signed forwards carrying the resolved mode, account, request id
// and client IP) or directly with a credential (see origin/caller.ts and origin/access.ts).
import {
  BotgateError,
  type ChatbotMode,
  customHost,
  defaultSystemRoleEnhanced,
  hashedId,
  isLive,
} from "@botgate/core";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { type AccessGrant, authorizeChat } from "../origin/access.ts";
import { forwardedMode, identifyCaller } from "../origin/caller.ts";
import {
  chatbotFacts,
  configChatbotView,
  loadChatbot,
  type OriginChatbot,
  unknownChatbot,
} from "../origin/chatbot.ts";
import { type ChatMessage, type CompletionRequest, providerFor } from "../origin/provider.ts";
import { newSessionKey, openSession, SESSION_KEY_PATTERN, sessionHistory } from "../origin/sessions.ts";
import type { Runtime } from "../runtime.ts";

const API_NAME = "botgate/v1";
const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_SYSTEM_ROLE = "You are a helpful assistant.";

const message = z.object({
  role: z.enum(["system", "user", "assistant"]),
  content: z.string().max(32_000),
});
const messages = z.array(message).min(1).max(100);
const sessionKey = z.string().regex(SESSION_KEY_PATTERN, "must be 64 lower-case hex characters");

const configInput = z.object({ session_key: sessionKey.nullish() });
const chatInput = z.object({ session_key: sessionKey.nullish(), messages });
const completionsInput = z.object({
  model: z.string().max(255).optional(),
  messages,
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(2).optional(),
  max_tokens: z.number().int().min(1).max(32_000).optional(),
});

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

/** JSON body (empty allowed when `optional`), validated; every problem is a 400 with field errors. */
async function readBody<T extends z.ZodType>(c: Context, schema: T, optional = false): Promise<z.output<T>> {
  const text = await c.req.text();
  let value: unknown = {};
  if (text.trim() !== "" || !optional) {
    try {
      value = JSON.parse(text);
    } catch {
      throw new BotgateError("BAD_REQUEST", "The request body is not valid JSON.");
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new BotgateError("BAD_REQUEST", "The request body is not valid.", {
      fieldErrors: z.flattenError(result.error).fieldErrors,
    });
  }
  return result.data;
}

function completionRequest(
  chatbot: OriginChatbot,
  conversation: ChatMessage[],
  overrides: { model?: string; temperature?: number; maxTokens?: number } = {},
): CompletionRequest {
  const system = defaultSystemRoleEnhanced(chatbot.defaultSystemRole ?? DEFAULT_SYSTEM_ROLE, new Date());
  return {
    model: chatbot.defaultModel ?? overrides.model ?? chatbot.provider,
    messages: [{ role: "system", content: system }, ...conversation],
    temperature: overrides.temperature ?? chatbot.defaultTemperature,
    maxTokens: overrides.maxTokens ?? chatbot.defaultMaxTokens,
  };
}

export function originRoutes(runtime: Runtime) {
  const providerOptions = { openAiConfigured: runtime.env.OPENAI_API_KEY !== undefined };
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
        ? await readBody(c, configInput, true)
        : configInput.parse({ session_key: c.req.query("session_key") || undefined });
    const key = input.session_key ?? newSessionKey();
    return c.json({
      data: {
        session_key: key,
        sandbox_mode: admitted.mode === "sandbox",
        debug_mode: false,
        chatbot: configChatbotView(chatbot, runtime.config, admitted.mode),
        history: await sessionHistory(runtime.db, chatbot.id, key),
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
    const input = await readBody(c, chatInput);
    const provider = providerFor(chatbot.provider, providerOptions);
    // The chatbot's system role is authoritative; a client's own system messages are dropped.
    const request = completionRequest(
      chatbot,
      input.messages.filter((m) => m.role !== "system"),
    );
    const completion = await provider.complete(request);
    const session = await openSession(runtime.db, chatbot.id, input.session_key ?? null, {
      ipAddress: admitted.clientIp,
      userAgent: c.req.header("user-agent") ?? null,
      url: admitted.publicUrl,
    });
    const answer = completion.choices[0]?.message.content ?? "";
    const lastUser = input.messages.findLast((m) => m.role === "user");
    await runtime.db.$transaction([
      ...(lastUser === undefined
        ? []
        : [
            runtime.db.chatHistory.create({
              data: { chatId: session.id, role: "user", content: lastUser.content },
            }),
          ]),
      runtime.db.chatHistory.create({
        data: { chatId: session.id, role: "assistant", content: answer, request, response: completion },
      }),
      runtime.db.chatBotRequests.create({
        data: {
          chatbotId: chatbot.id,
          sessionKey: session.sessionKey,
          request: {
            command: "chat",
            mode: admitted.mode,
            request_id: admitted.requestId,
            provider: provider.name,
            model: request.model,
            messages: input.messages,
          },
        },
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
    const input = await readBody(c, completionsInput);
    const provider = providerFor(chatbot.provider, providerOptions);
    const request = completionRequest(chatbot, input.messages, {
      ...(input.model !== undefined && { model: input.model }),
      ...(input.temperature !== undefined && { temperature: input.temperature }),
      ...(input.max_tokens !== undefined && { maxTokens: input.max_tokens }),
    });
    await runtime.db.chatBotRequests.create({
      data: {
        chatbotId: chatbot.id,
        request: {
          command: "chat.completions",
          mode: admitted.mode,
          request_id: admitted.requestId,
          provider: provider.name,
          model: request.model,
          stream: input.stream ?? false,
          messages: input.messages,
        },
      },
    });
    if (!input.stream) return c.json(await provider.complete(request));
    return streamSSE(c, async (stream) => {
      try {
        for await (const chunk of provider.stream(request))
          await stream.writeSSE({ data: JSON.stringify(chunk) });
        await stream.writeSSE({ data: "[DONE]" });
      } catch (error) {
        // Headers are gone by now: the error travels as a last event, OpenAI's way.
        const failure =
          error instanceof BotgateError ? error : new BotgateError("BAD_GATEWAY", "The provider failed.");
        await stream.writeSSE({ data: JSON.stringify(failure.toBody(admitted.requestId)) });
      }
    });
  });

  return app;
}
