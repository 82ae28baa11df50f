// Values a hostile OpenAI-compatible provider returns must not break the origin's database
// writes: Postgres jsonb refuses U+0000 and lone surrogates, the tool columns hold 255
// characters. Such values are either refused as a malformed answer (an overlong
// finish_reason, tool-call id or function name) or stored with U+FFFD in their place, and
// the request is logged either way. A turn that still cannot be stored after the provider
// answered is the origin's failure (5xx), never the client's nor the provider's.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BotgateError } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import { asBotgateError } from "../src/origin/sse.ts";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

/** Content of the provider's answer that the test database refuses to store (see beforeAll). */
const UNSTORABLE = "unstorable answer";

const FINISH_REASONS = {
  nul: "stop\u0000",
  surrogate: "stop\ud800",
  huge: "x".repeat(500_000),
  empty: "",
} as const;
type FinishCase = keyof typeof FINISH_REASONS;

const calculatorCall = { id: "call_1", type: "function", function: { name: "calculator", arguments: "{}" } };
const TOOL_CALLS = {
  "long id": { ...calculatorCall, id: "c".repeat(300) },
  "long name": { ...calculatorCall, function: { name: "n".repeat(300), arguments: "{}" } },
  "lone surrogates": {
    id: "call_\ud800",
    type: "function",
    function: { name: "calculator\udc00", arguments: '{"expression":"2+2\ud800"}' },
  },
} as const;
type ToolCase = keyof typeof TOOL_CALLS;

let provider: Server;
let server: TestServer;
let admin: TestUser;
/** Answers straight from the provider. */
let plainBot: { id: number; hashedId: string };
/** The calculator enabled: the provider's tool calls run and are stored. */
let functionsBot: { id: number; hashedId: string };

interface ProviderRequest {
  stream?: boolean;
  messages: { role: string; content: string }[];
}

/** What the provider answers is named by the first user message: "finish:<case>", "tool:<case>" or UNSTORABLE. */
function providerAnswer(request: ProviderRequest) {
  const asked = request.messages.find((m) => m.role === "user")?.content ?? "";
  const toolCase = asked.startsWith("tool:") ? (asked.slice(5) as ToolCase) : null;
  const calledTools = request.messages.some((m) => m.role === "tool");
  const message =
    toolCase !== null && !calledTools
      ? { role: "assistant", content: null, tool_calls: [TOOL_CALLS[toolCase]] }
      : { role: "assistant", content: asked === UNSTORABLE ? UNSTORABLE : "answered" };
  const finishReason = asked.startsWith("finish:")
    ? FINISH_REASONS[asked.slice(7) as FinishCase]
    : message.content === null
      ? "tool_calls"
      : "stop";
  return { message, finishReason };
}

const envelope = { id: "chatcmpl-hostile", created: 1, model: "gpt-test" };
const usage = { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 };

beforeAll(async () => {
  provider = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (part: string) => {
      body += part;
    });
    req.on("end", () => {
      const request = JSON.parse(body) as ProviderRequest;
      const { message, finishReason } = providerAnswer(request);
      if (request.stream !== true) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            ...envelope,
            object: "chat.completion",
            choices: [{ index: 0, message, finish_reason: finishReason }],
            usage,
          }),
        );
        return;
      }
      const chunk = (choices: unknown[], extra: object = {}) =>
        `data: ${JSON.stringify({ ...envelope, object: "chat.completion.chunk", choices, ...extra })}\n\n`;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(
        chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]) +
          chunk([{ index: 0, delta: { content: message.content }, finish_reason: null }]) +
          chunk([{ index: 0, delta: {}, finish_reason: finishReason }]) +
          chunk([], { usage }) +
          "data: [DONE]\n\n",
      );
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  server = await startTestServer({
    env: {
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`,
    },
  });
  admin = await createAccount(server);
  const create = (name: string) =>
    admin.client.chatbot.create.mutate({
      name: `${name}${randomBytes(4).toString("hex")}`,
      provider: "openai",
      defaultModel: "gpt-test",
    });
  plainBot = await create("hostile");
  functionsBot = await create("hostilefn");
  await admin.client.chatbot.functions.enable.mutate({ chatbotId: functionsBot.id, name: "calculator" });
  // A write the database refuses after the provider answered (class 22, as an overlong value).
  await server.runtime.db.$executeRawUnsafe(`
    CREATE FUNCTION refuse_unstorable() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.content = '${UNSTORABLE}' THEN
        RAISE EXCEPTION 'refused by the test' USING ERRCODE = '22001';
      END IF;
      RETURN NEW;
    END $$`);
  await server.runtime.db.$executeRawUnsafe(`
    CREATE TRIGGER refuse_unstorable BEFORE INSERT ON "ChatHistory"
    FOR EACH ROW EXECUTE FUNCTION refuse_unstorable()`);
}, 120_000);
afterAll(async () => {
  await server?.close();
  provider?.closeAllConnections();
  await new Promise((resolve) => provider?.close(resolve));
});

interface Answer {
  status: number;
  requestId: string;
  text: string;
}

async function ask(
  bot: { hashedId: string },
  surface: "chat/" | "v1/chat/completions",
  content: string,
  stream: boolean,
): Promise<Answer> {
  const response = await fetch(`${server.url}/api/v1/chatbots/${bot.hashedId}/${surface}`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content }], stream }),
  });
  return {
    status: response.status,
    requestId: response.headers.get("x-request-id") ?? "",
    text: await response.text(),
  };
}

/** The SSE events of a stream, pings left out. */
const eventsOf = (text: string) => text.split("\n\n").filter((e) => e !== "" && !e.startsWith(":"));

/** The request log row of one call (written in the background, after the answer). */
async function loggedRequest(requestId: string) {
  await backgroundSettled();
  const rows = await server.runtime.db.chatBotRequests.findMany({
    where: { request: { path: ["request_id"], equals: requestId } },
  });
  expect(rows).toHaveLength(1);
  return rows[0]?.request as Record<string, unknown>;
}

const chatHistory = (sessionKey: string) =>
  server.runtime.db.chatHistory.findMany({ where: { chat: { sessionKey } }, orderBy: { id: "asc" } });

describe("a finish_reason with U+0000 or a lone surrogate", () => {
  it.each([
    ["nul", "stop\uFFFD"],
    ["surrogate", "stop\uFFFD"],
  ] as const)("is logged with U+FFFD in its place on /chat/ (%s)", async (finishCase, logged) => {
    const answer = await ask(plainBot, "chat/", `finish:${finishCase}`, false);
    expect(answer.status).toBe(200);
    // The client gets the answer as the provider gave it.
    expect(JSON.parse(answer.text).data.body.choices[0].finish_reason).toBe(FINISH_REASONS[finishCase]);
    expect(await loggedRequest(answer.requestId)).toMatchObject({ finish_reason: logged });
    expect((await loggedRequest(answer.requestId)).error).toBeUndefined();
  });

  it.each(["nul", "surrogate"] as const)(
    "is logged with U+FFFD in its place on a streamed /chat/ (%s)",
    async (finishCase) => {
      const answer = await ask(plainBot, "chat/", `finish:${finishCase}`, true);
      expect(answer.status).toBe(200);
      const events = eventsOf(answer.text);
      expect(events.at(-1)).toBe("data: [DONE]");
      expect(events.at(-2)).toMatch(/^event: envelope\n/);
      expect(await loggedRequest(answer.requestId)).toMatchObject({ finish_reason: "stop\uFFFD" });
    },
  );

  it.each([
    ["nul", false],
    ["surrogate", false],
    ["nul", true],
    ["surrogate", true],
  ] as const)(
    "is logged with U+FFFD in its place on /v1/chat/completions (%s, stream %s)",
    async (finishCase, stream) => {
      const answer = await ask(plainBot, "v1/chat/completions", `finish:${finishCase}`, stream);
      expect(answer.status).toBe(200);
      if (stream) expect(eventsOf(answer.text).at(-1)).toBe("data: [DONE]");
      else expect(JSON.parse(answer.text).choices[0].finish_reason).toBe(FINISH_REASONS[finishCase]);
      const logged = await loggedRequest(answer.requestId);
      expect(logged).toMatchObject({ finish_reason: "stop\uFFFD", stream });
      expect(logged.error).toBeUndefined();
    },
  );
});

describe("an empty finish_reason", () => {
  it.each([
    ["chat/", false],
    ["chat/", true],
    ["v1/chat/completions", false],
    ["v1/chat/completions", true],
  ] as const)(
    "still finishes the answer on %s (stream %s): relayed, logged, no error",
    async (surface, stream) => {
      const answer = await ask(plainBot, surface, "finish:empty", stream);
      expect(answer.status).toBe(200);
      if (stream) {
        expect(eventsOf(answer.text).at(-1)).toBe("data: [DONE]");
        expect(answer.text).not.toContain('"error"');
      }
      const logged = await loggedRequest(answer.requestId);
      expect(logged).toMatchObject({ finish_reason: "" });
      expect(logged.error).toBeUndefined();
    },
  );
});

describe("a 500 KB finish_reason", () => {
  it("is refused as a malformed answer on /chat/, neither relayed nor stored", async () => {
    const answer = await ask(plainBot, "chat/", "finish:huge", false);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text).error.code).toBe("PROVIDER_ERROR");
    expect(answer.text.length).toBeLessThan(10_000);
    const logged = await loggedRequest(answer.requestId);
    expect(logged).toMatchObject({ error: "PROVIDER_ERROR", finish_reason: null });
  });

  it("ends a streamed /chat/ with a PROVIDER_ERROR event, and is not stored", async () => {
    const answer = await ask(plainBot, "chat/", "finish:huge", true);
    expect(answer.status).toBe(200);
    expect(answer.text.length).toBeLessThan(10_000);
    const last = JSON.parse(
      eventsOf(answer.text)
        .at(-1)
        ?.replace(/^data: /, "") ?? "null",
    );
    expect(last.error.code).toBe("PROVIDER_ERROR");
    const logged = await loggedRequest(answer.requestId);
    expect(logged).toMatchObject({ error: "PROVIDER_ERROR", finish_reason: null });
  });

  it.each([false, true])("is refused on /v1/chat/completions (stream %s)", async (stream) => {
    const answer = await ask(plainBot, "v1/chat/completions", "finish:huge", stream);
    expect(answer.text.length).toBeLessThan(10_000);
    if (stream) {
      expect(eventsOf(answer.text).at(-1)).toMatch(/"code":"provider_error"/);
    } else {
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.text).error.code).toBe("provider_error");
    }
    expect(await loggedRequest(answer.requestId)).toMatchObject({ error: "PROVIDER_ERROR" });
  });
});

describe("a tool call whose id or function name is longer than 255 characters", () => {
  it.each([
    ["long id", false],
    ["long name", false],
    ["long id", true],
    ["long name", true],
  ] as const)(
    "is refused as a malformed answer on /chat/, and logged (%s, stream %s)",
    async (toolCase, stream) => {
      const answer = await ask(functionsBot, "chat/", `tool:${toolCase}`, stream);
      // The tool loop runs before the first byte, streamed or not: a JSON error with its status.
      expect(answer.status).toBe(502);
      expect(JSON.parse(answer.text).error.code).toBe("PROVIDER_ERROR");
      expect(await loggedRequest(answer.requestId)).toMatchObject({ error: "PROVIDER_ERROR", stream });
    },
  );

  it.each(["long id", "long name"] as const)("is refused on /v1/chat/completions (%s)", async (toolCase) => {
    const answer = await ask(functionsBot, "v1/chat/completions", `tool:${toolCase}`, false);
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.text).error.code).toBe("provider_error");
    expect(await loggedRequest(answer.requestId)).toMatchObject({ error: "PROVIDER_ERROR" });
  });
});

describe("a tool call with lone surrogates in its id, name and arguments", () => {
  it.each([false, true])(
    "is answered, stored and logged with U+FFFD in their place on /chat/ (stream %s)",
    async (stream) => {
      const answer = await ask(functionsBot, "chat/", "tool:lone surrogates", stream);
      expect(answer.status).toBe(200);
      const body = stream
        ? JSON.parse(eventsOf(answer.text).at(-2)?.split("\ndata: ")[1] ?? "null").data.body
        : JSON.parse(answer.text).data.body;
      expect(body.choices[0].message.content).toBe("answered");
      const history = await chatHistory(body.metadata.session_key);
      expect(history.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
      expect(history[1]?.toolCalls).toEqual([
        {
          id: "call_\uFFFD",
          type: "function",
          function: { name: "calculator\uFFFD", arguments: '{"expression":"2+2\uFFFD"}' },
        },
      ]);
      expect(history[2]).toMatchObject({ toolCallId: "call_\uFFFD", name: "calculator\uFFFD" });
      const logged = await loggedRequest(answer.requestId);
      expect(logged).toMatchObject({ finish_reason: "stop", stream });
      expect(logged.error).toBeUndefined();
    },
  );

  it("is answered and logged on /v1/chat/completions", async () => {
    const answer = await ask(functionsBot, "v1/chat/completions", "tool:lone surrogates", false);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.text).choices[0].message.content).toBe("answered");
    expect((await loggedRequest(answer.requestId)).error).toBeUndefined();
  });
});

describe("a turn the database refuses to store after the provider answered", () => {
  it("answers 500 INTERNAL on /chat/ and still logs the request as failed", async () => {
    const answer = await ask(plainBot, "chat/", UNSTORABLE, false);
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text).error.code).toBe("INTERNAL");
    expect(await loggedRequest(answer.requestId)).toMatchObject({ error: "INTERNAL", stream: false });
  });

  it("ends a streamed /chat/ with an INTERNAL error event, not a provider failure", async () => {
    const answer = await ask(plainBot, "chat/", UNSTORABLE, true);
    expect(answer.status).toBe(200);
    const events = eventsOf(answer.text);
    const last = JSON.parse(events.at(-1)?.replace(/^data: /, "") ?? "null");
    expect(last.error).toMatchObject({ code: "INTERNAL" });
    expect(last.error.message).not.toMatch(/provider/i);
    expect(await loggedRequest(answer.requestId)).toMatchObject({ error: "INTERNAL", stream: true });
  });
});

describe("a stream that fails on the origin's side", () => {
  it("ends as INTERNAL, not as a provider failure", () => {
    const error = asBotgateError(new Error("a bug of ours"));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).not.toMatch(/provider/i);
    // A provider's failure keeps its own code.
    const providerFailure = new BotgateError("PROVIDER_ERROR", "The provider failed.");
    expect(asBotgateError(providerFailure)).toBe(providerFailure);
  });
});
