// The OpenAI surface called directly at the origin (/api/v1/chatbots/<id>/v1/...) with the
// official `openai` client, against the fake OpenAI-compatible provider of @botgate/llm/testing:
// OpenAI's contract for answers, streams, usage, models and every error, and honest
// streaming when the provider misbehaves. The same through the edge: apps/edge/test/openai.test.ts.
import { randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type FakeOpenAiServer, startFakeOpenAi } from "@botgate/llm/testing";
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
} from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let fake: FakeOpenAiServer;
let server: TestServer;
let admin: TestUser;
const bots = new Map<string, { id: number; hashedId: string }>();

/** A chatbot on the platform default provider whose model picks the fake's behaviour. */
const bot = (model: string) => {
  const found = bots.get(model);
  if (found === undefined) throw new Error(`no chatbot for ${model}`);
  return found;
};

const MODELS = [
  "gpt-test",
  "stall",
  "cut",
  "error-chunk",
  "slow-chunks:150",
  "endless",
  "wrong-types",
  "deep",
  "bare-envelope",
  "no-stream",
  ...[400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504].map((s) => `status:${s}`),
  "status:400:echo",
];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  server = await startTestServer({
    env: {
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: fake.baseUrl,
      // Short enough for the stall trials, long enough that the endless stream's 16 MiB (the
      // fake provider, the origin and the client share this process's event loop) never
      // pauses that long on a loaded machine: at 400 ms it once ended as a stall in CI.
      CHAT_STREAM_IDLE_TIMEOUT_MS: "2000",
      CHAT_STREAM_PING_MS: "40",
    },
  });
  admin = await createAccount(server);
  for (const model of MODELS) {
    const created = await admin.client.chatbot.create.mutate({
      name: `oai${randomBytes(4).toString("hex")}`,
      provider: "openai",
      defaultModel: model,
    });
    bots.set(model, created);
  }
}, 120_000);
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const baseURL = (model: string) => `${server.url}/api/v1/chatbots/${bot(model).hashedId}/v1`;
const client = (model = "gpt-test", apiKey = admin.token) =>
  new OpenAI({ baseURL: baseURL(model), apiKey, maxRetries: 0 });

async function caught(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to throw");
}

/** Reads the whole stream; answers the error the client threw, or null. */
async function drain(stream: AsyncIterable<unknown>): Promise<{ chunks: number; error: unknown }> {
  let chunks = 0;
  try {
    for await (const _ of stream) chunks++;
    return { chunks, error: null };
  } catch (error) {
    return { chunks, error };
  }
}

describe("answers", () => {
  it("a chat.completion through the official client", async () => {
    const completion = await client().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "hello there" }],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("a stream with include_usage: usage null on every chunk, one last chunk with choices [] and usage, one [DONE]", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "one two three" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null && c.choices.length === 1)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three");

    const raw = await fetch(`${baseURL("gpt-test")}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        messages: [{ role: "user", content: "a b" }],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(raw.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(raw.headers.get("x-request-id")).toMatch(/\S/);
    const events = (await raw.text()).split("\n\n").filter((e) => e.startsWith("data: "));
    expect(events.filter((e) => e === "data: [DONE]")).toHaveLength(1);
    expect(events.at(-1)).toBe("data: [DONE]");
    expect(events.filter((e) => e.includes('"choices":[]'))).toHaveLength(1);
  });

  it("a stream without include_usage has no usage field at all", async () => {
    const stream = await client().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "plain" }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => !("usage" in c) && c.choices.length === 1)).toBe(true);
  });

  it("a stream, when the provider ignores stream: true and answers whole: chunks, usage, [DONE], and chat/ keeps the turn", async () => {
    const stream = await client("no-stream").chat.completions.create({
      model: "no-stream",
      messages: [{ role: "user", content: "all at once" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: all at once");
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.filter((c) => c.choices.length === 0)).toHaveLength(1);

    const chat = await fetch(`${server.url}/api/v1/chatbots/${bot("no-stream").hashedId}/chat/`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "whole turn" }] }),
    });
    const events = (await chat.text()).split("\n\n").filter((e) => e !== "" && !e.startsWith(":"));
    expect(events.at(-1)).toBe("data: [DONE]");
    const stored = await server.runtime.db.chatHistory.findMany({
      where: { chat: { chatbotId: bot("no-stream").id } },
      orderBy: { id: "asc" },
    });
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ["user", "whole turn"],
      ["assistant", "Echo: whole turn"],
    ]);
  });

  it("passes client tools to the provider unchanged and relays its tool calls", async () => {
    const tools: OpenAI.Chat.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "lookup_order",
          description: "Finds an order",
          parameters: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        },
      },
    ];
    fake.setResponder(() => ({ toolCalls: [{ name: "lookup_order", arguments: '{"id":"42"}' }] }));
    try {
      const completion = await client().chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "where is order 42?" }],
        tools,
        tool_choice: "auto",
      });
      expect(fake.requests.at(-1)?.body.tools).toEqual(tools);
      expect(fake.requests.at(-1)?.body.tool_choice).toBe("auto");
      expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === "function" && call.function).toMatchObject({
        name: "lookup_order",
        arguments: '{"id":"42"}',
      });
    } finally {
      fake.setResponder(null);
    }
    // The conversation continues with the tool's result, as the client ran it.
    const followUp = await client().chat.completions.create({
      model: "gpt-test",
      messages: [
        { role: "user", content: "where is order 42?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            { id: "call_1", type: "function", function: { name: "lookup_order", arguments: '{"id":"42"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "shipped" },
      ],
      tools,
    });
    expect(followUp.choices[0]?.message.role).toBe("assistant");
    expect(fake.requests.at(-1)?.body.messages?.at(-1)).toEqual({
      role: "tool",
      tool_call_id: "call_1",
      content: "shipped",
    });
  });

  it("logs every call with usage and latency, after the answer", async () => {
    const completion = await client().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "log me" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const { error } = await drain(completion);
    expect(error).toBeNull();
    await backgroundSettled();
    const rows = await server.runtime.db.chatBotRequests.findMany({
      where: { chatbotId: bot("gpt-test").id },
    });
    expect(rows.map((r) => r.request)).toContainEqual(
      expect.objectContaining({
        command: "chat.completions",
        provider: "openai",
        stream: true,
        finish_reason: "stop",
        usage: expect.objectContaining({ total_tokens: expect.any(Number) }),
        latency_ms: expect.any(Number),
        first_chunk_ms: expect.any(Number),
      }),
    );
  });
});

describe("GET /v1/models", () => {
  it("lists exactly the chatbot's models", async () => {
    const models = [];
    for await (const model of client().models.list()) models.push(model.id);
    expect(models).toEqual(["gpt-test"]);
  });

  it("follows the chat credential rule (no credential: like an unknown chatbot)", async () => {
    const error = await caught(client("gpt-test", "not-a-credential").models.list());
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.error).toEqual({
      message: expect.any(String),
      type: "not_found_error",
      param: null,
      code: "not_found",
    });
  });
});

describe("errors are OpenAI's error object", () => {
  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${baseURL("gpt-test")}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${admin.token}`,
        "content-type": "application/json",
        ...init.headers,
      },
    });
  const expectOpenAiError = async (
    response: Response,
    status: number,
    code: string,
    param: string | null = null,
  ) => {
    expect(response.status).toBe(status);
    expect(response.headers.get("x-request-id")).toMatch(/\S/);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body)).toEqual(["error"]);
    expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
    expect(body.error).toMatchObject({ code, param });
  };

  it("unknown path 404, wrong method 405", async () => {
    await expectOpenAiError(await raw("/embeddings", { method: "POST", body: "{}" }), 404, "unknown_url");
    const wrongMethod = await raw("/chat/completions");
    expect(wrongMethod.headers.get("allow")).toBe("POST");
    await expectOpenAiError(wrongMethod, 405, "method_not_allowed");
    await expectOpenAiError(await raw("/models", { method: "DELETE" }), 405, "method_not_allowed");
  });

  // The server answers 413 without reading the body and closes that keep-alive connection,
  // so this request goes on a connection of its own.
  it("a body past 1 MiB is 413", async () => {
    const huge = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(1_100_000) }] });
    const response = await raw("/chat/completions", {
      method: "POST",
      body: huge,
      headers: { connection: "close" },
    });
    await expectOpenAiError(response, 413, "payload_too_large");
  });

  it("a compressed body is refused by its Content-Encoding, not as invalid JSON", async () => {
    const body = gzipSync(JSON.stringify({ messages: [{ role: "user", content: "x" }] }));
    const response = await raw("/chat/completions", {
      method: "POST",
      body,
      headers: { "content-encoding": "gzip" },
    });
    const error = (await response.clone().json()) as { error: { message: string } };
    expect(error.error.message).toBe('Content-Encoding "gzip" is not supported: send the body uncompressed.');
    await expectOpenAiError(response, 400, "bad_request");
  });

  it.each([
    ["not json", "{nope", "invalid_json", null],
    ["an array", "[]", "invalid_json", null],
    ["unknown field", { messages: [{ role: "user", content: "x" }], bogus: 1 }, "unknown_parameter", "bogus"],
    ["n > 1", { messages: [{ role: "user", content: "x" }], n: 2 }, "unsupported_parameter", "n"],
    [
      "logprobs",
      { messages: [{ role: "user", content: "x" }], logprobs: true },
      "unsupported_parameter",
      "logprobs",
    ],
    [
      "json mode",
      { messages: [{ role: "user", content: "x" }], response_format: { type: "json_object" } },
      "unsupported_parameter",
      "response_format",
    ],
    ["no messages", { messages: [] }, "invalid_value", "messages"],
    ["a bad role", { messages: [{ role: "wizard", content: "x" }] }, "invalid_value", "messages[0].role"],
    [
      "content of the wrong type",
      { messages: [{ role: "user", content: 5 }] },
      "invalid_value",
      "messages[0].content",
    ],
    [
      "a tool message without its call id",
      { messages: [{ role: "tool", content: "x" }] },
      "invalid_value",
      "messages[0].tool_call_id",
    ],
    [
      "tool_choice without tools",
      { messages: [{ role: "user", content: "x" }], tool_choice: "required" },
      "invalid_value",
      "tool_choice",
    ],
    [
      "a prototype-polluting key",
      '{"messages":[{"role":"user","content":"x"}],"__proto__":{"admin":true}}',
      "unknown_parameter",
      "__proto__",
    ],
  ])("%s is a 400 naming its param", async (_, body, code, param) => {
    const response = await raw("/chat/completions", {
      method: "POST",
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    await expectOpenAiError(response, 400, code, param);
  });

  it("the official client throws BadRequestError with param and code", async () => {
    const error = await caught(
      client().chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "x" }],
        n: 3,
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect({ status: error.status, code: error.code, param: error.param }).toEqual({
      status: 400,
      code: "unsupported_parameter",
      param: "n",
    });
  });

  it("a model the chatbot does not serve is model_not_found", async () => {
    const error = await caught(
      client().chat.completions.create({ model: "gpt-5-ultra", messages: [{ role: "user", content: "x" }] }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect({ code: error.code, param: error.param }).toEqual({ code: "model_not_found", param: "model" });
  });

  it("a chatbot's API key reaches it by Bearer and X-API-Key; another chatbot's key does not", async () => {
    const own = await admin.client.apiKey.create.mutate({ chatbotId: bot("gpt-test").id, name: "k" });
    const other = await admin.client.apiKey.create.mutate({ chatbotId: bot("cut").id, name: "k" });
    const ok = await client("gpt-test", own.key).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "key" }],
    });
    expect(ok.choices[0]?.message.content).toBe("Echo: key");
    const byHeader = new OpenAI({
      baseURL: baseURL("gpt-test"),
      apiKey: "ignored",
      maxRetries: 0,
      defaultHeaders: { authorization: null, "x-api-key": own.key },
    });
    expect((await byHeader.models.list()).data.map((m) => m.id)).toEqual(["gpt-test"]);
    const refused = await caught(client("gpt-test", other.key).models.list());
    expect(refused).toBeInstanceOf(NotFoundError);
  });
});

describe("provider failures before the first byte are statuses, never 200 + SSE", () => {
  const CLASSES: Record<number, string> = {
    400: BadRequestError.name,
    429: RateLimitError.name,
    502: InternalServerError.name,
    503: InternalServerError.name,
    504: InternalServerError.name,
  };
  it.each([400, 401, 403, 404, 408, 409, 422, 429, 500, 502, 503, 504])(
    "upstream %i, streamed or not",
    async (upstream) => {
      for (const stream of [false, true]) {
        const error = await caught(
          client(`status:${upstream}`).chat.completions.create({
            messages: [{ role: "user", content: "x" }],
            model: `status:${upstream}`,
            stream,
          }),
        );
        expect(error.status).toBeGreaterThanOrEqual(400);
        expect(error.status).not.toBe(200);
        const expected = CLASSES[error.status ?? 0];
        if (expected) expect(error.constructor.name).toBe(expected);
        expect(error.code).toMatch(/^provider_/);
        expect(error.type).toBeTypeOf("string");
        const retry = error.headers?.get("x-should-retry");
        expect(retry === "true" || retry === "false").toBe(true);
        if (upstream === 429 || upstream === 503) {
          expect(error.headers?.get("retry-after")).toBe("7");
          expect(error.headers?.get("retry-after-ms")).toBe("7000");
        }
      }
    },
  );

  it("an unknown credential is still refused before the provider is asked", async () => {
    const before = fake.requests.length;
    const error = await caught(
      client("gpt-test", "sk-wrong").chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(error).not.toBeInstanceOf(AuthenticationError); // sandbox: like an unknown chatbot
    expect(error).toBeInstanceOf(NotFoundError);
    expect(fake.requests.length).toBe(before);
  });
});

describe("failures after the first byte end the stream with an error event", () => {
  // Each one, 50 times: the official client must throw every time, never end quietly.
  it.each(["cut", "error-chunk", "stall"])(
    "%s: the official client throws in 50 of 50 trials",
    async (behaviour) => {
      const outcomes: { chunks: number; error: unknown }[] = [];
      for (let batch = 0; batch < 5; batch++) {
        outcomes.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, async () =>
              drain(
                await client(behaviour).chat.completions.create({
                  model: behaviour,
                  messages: [{ role: "user", content: "tell me a long story please" }],
                  stream: true,
                }),
              ),
            ),
          )),
        );
      }
      expect(outcomes).toHaveLength(50);
      for (const outcome of outcomes) {
        expect(outcome.chunks).toBeGreaterThan(0);
        expect(outcome.error).toBeInstanceOf(APIError);
        expect((outcome.error as APIError).code).toMatch(
          /^(provider_stream_interrupted|stream_stalled|provider_timeout)$/,
        );
      }
    },
    120_000,
  );

  it("a provider that never stops talking fails at the answer size limit (16 MiB), streamed or not", async () => {
    const error = await caught(
      client("endless").chat.completions.create({
        model: "endless",
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error).toMatchObject({ status: 502, code: "provider_error" });
    expect(error.headers?.get("x-should-retry")).toBe("false");
    const streamed = await drain(
      await client("endless").chat.completions.create({
        model: "endless",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    );
    expect(streamed.chunks).toBeGreaterThan(1_000);
    expect(streamed.error).toBeInstanceOf(APIError);
    expect((streamed.error as APIError).code).toBe("provider_error");
    // The origin is still there for the next caller.
    const after = await client().chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "still here" }],
    });
    expect(after.choices[0]?.message.content).toBe("Echo: still here");
  }, 120_000);

  it("a provider whose rejection quotes the request's Authorization never shows the platform's key to the caller", async () => {
    const model = "status:400:echo";
    const error = await caught(
      client(model).chat.completions.create({ model, messages: [{ role: "user", content: "x" }] }),
    );
    expect(error).toMatchObject({ status: 400, code: "provider_rejected_request" });
    // Our words and the provider's identifiers, never its text (which quotes the header).
    expect(error.message).toBe(
      "400 The provider rejected the request (code fake_400, type invalid_request_error).",
    );
    const streamed = await caught(
      client(model).chat.completions.create({
        model,
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    );
    const chat = await fetch(`${server.url}/api/v1/chatbots/${bot(model).hashedId}/chat/`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
    });
    expect(chat.status).toBe(400);
    for (const text of [JSON.stringify(error.error), JSON.stringify(streamed.error), await chat.text()]) {
      expect(text).toContain("code fake_400");
      expect(text).not.toContain("fake upstream");
      expect(text).not.toContain("Authorization");
      expect(text).not.toContain("sk-fake");
    }
  });

  it("a provider answering a number where the text belongs is PROVIDER_ERROR, on /v1 and on chat/, storing nothing", async () => {
    const error = await caught(
      client("wrong-types").chat.completions.create({
        model: "wrong-types",
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(error).toMatchObject({ status: 502, code: "provider_error" });
    const chat = await fetch(`${server.url}/api/v1/chatbots/${bot("wrong-types").hashedId}/chat/`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "x" }] }),
    });
    expect(chat.status).toBe(502);
    expect(((await chat.json()) as { error: { code: string } }).error.code).toBe("PROVIDER_ERROR");
    const stored = await server.runtime.db.chatHistory.count({
      where: { chat: { chatbotId: bot("wrong-types").id } },
    });
    expect(stored).toBe(0);
  });

  it("a provider answer nested 100 000 levels deep is PROVIDER_ERROR, never a 500, streamed or not", async () => {
    const plain = await caught(
      client("deep").chat.completions.create({ model: "deep", messages: [{ role: "user", content: "x" }] }),
    );
    expect(plain).toMatchObject({ status: 502, code: "provider_error" });
    const { error } = await drain(
      await client("deep").chat.completions.create({
        model: "deep",
        messages: [{ role: "user", content: "one two three four" }],
        stream: true,
      }),
    );
    expect(error).toMatchObject({ code: "provider_error" });
  });

  it("a provider's null envelope and nonsense usage reach the client as OpenAI's envelope, without usage", async () => {
    const completion = await client("bare-envelope").chat.completions.create({
      model: "bare-envelope",
      messages: [{ role: "user", content: "fill me in" }],
    });
    expect(completion).toMatchObject({
      object: "chat.completion",
      model: "bare-envelope",
      choices: [{ index: 0, message: { role: "assistant", content: "Echo: fill me in" } }],
    });
    expect(completion.id).toMatch(/^chatcmpl-/);
    expect(Number.isInteger(completion.created)).toBe(true);
    expect(completion.usage).toBeUndefined();
    await backgroundSettled();
    const [logged] = await server.runtime.db.chatBotRequests.findMany({
      where: { chatbotId: bot("bare-envelope").id },
    });
    expect(logged?.request).toMatchObject({ usage: null, finish_reason: "stop" });
  });

  it("a raw stream that fails ends with one data: {error} and no [DONE]", async () => {
    const response = await fetch(`${baseURL("cut")}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "cut",
        messages: [{ role: "user", content: "one two three four" }],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    const events = (await response.text()).split("\n\n").filter((e) => e.startsWith("data: "));
    expect(events.some((e) => e === "data: [DONE]")).toBe(false);
    const last = JSON.parse(events.at(-1)?.slice(6) ?? "null") as { error: Record<string, unknown> };
    expect(Object.keys(last.error).sort()).toEqual(["code", "message", "param", "type"]);
  });

  it("sends : ping comments while the provider is slow, and stops the upstream call when the client leaves", async () => {
    const controller = new AbortController();
    const response = await fetch(`${baseURL("slow-chunks:150")}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "slow-chunks:150",
        messages: [{ role: "user", content: "a b c d e f g h i j k l m n o p" }],
        stream: true,
      }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let seen = "";
    while (!seen.includes(": ping")) {
      const { value, done } = await reader.read();
      if (done) break;
      seen += decoder.decode(value);
    }
    expect(seen).toContain(": ping\n\n");
    const requestId = response.headers.get("x-request-id");
    controller.abort();
    await reader.cancel().catch(() => {});
    // Poll: the origin notices the closed connection, aborts the provider call and logs it.
    const deadline = Date.now() + 20_000;
    for (;;) {
      await backgroundSettled();
      const rows = await server.runtime.db.chatBotRequests.findMany({
        where: { chatbotId: bot("slow-chunks:150").id },
      });
      const row = rows
        .map((r) => r.request as Record<string, unknown>)
        .find((r) => r.request_id === requestId);
      if (row !== undefined) {
        expect(row).toMatchObject({ client_gone: true });
        break;
      }
      if (Date.now() > deadline) throw new Error("the abandoned stream was never logged");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });
});
