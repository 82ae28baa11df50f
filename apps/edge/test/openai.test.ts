// The OpenAI surface through the edge in workerd, with the official `openai` client as the
// caller: a chatbot's default host (and its by-id paths) answer /v1/chat/completions and
// /v1/models as OpenAI does, every error the edge or the origin gives there is OpenAI's error
// object, API keys rule, and broken provider streams end in an error the client throws. The
// API's provider is the fake OpenAI server (see test/node/stack.ts).
import OpenAI, {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from "openai";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  API_HOST,
  type Chatbot,
  control,
  createChatbot,
  edge,
  expectError,
  newAccount,
  PLATFORM_HOST,
  sandboxPath,
  trpc,
} from "./helpers.ts";

let account: Account;
let open: Chatbot;

beforeAll(async () => {
  account = await newAccount();
  open = await createChatbot(account, { provider: "openai", defaultModel: "gpt-test" });
});

/** The official client, its requests going through the worker's real entry point. */
const client = (
  baseURL: string,
  apiKey = "unused",
  extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {},
) =>
  new OpenAI({
    baseURL,
    apiKey,
    maxRetries: 0,
    fetch: (url, init) => edge(new Request(url, init)),
    ...extra,
  });
const hostClient = (bot: Chatbot, apiKey?: string) => client(`http://${bot.defaultHost}/v1`, apiKey);

async function caught(promise: Promise<unknown>): Promise<APIError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof APIError) return error;
    throw error;
  }
  throw new Error("expected the call to throw");
}

async function expectOpenAiError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  const body = await response.json<{ error: Record<string, unknown> }>();
  expect(Object.keys(body)).toEqual(["error"]);
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error.code).toBe(code);
  return body.error;
}

describe("answers at the chatbot's host", () => {
  it("a chat.completion", async () => {
    const completion = await hostClient(open).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "through the edge" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: through the edge");
  });

  it("a stream with include_usage: one usage chunk with choices [] at the end", async () => {
    const stream = await hostClient(open).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect(chunks.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: one two three four");
  });

  it("GET /v1/models lists exactly the chatbot's models, also at its by-id API path", async () => {
    expect((await hostClient(open).models.list()).data.map((m) => m.id)).toEqual(["gpt-test"]);
    const byId = client(`http://${API_HOST}/api/v1/chatbots/${open.hashedId}/v1`, account.token);
    expect((await byId.models.list()).data.map((m) => m.id)).toEqual(["gpt-test"]);
  });

  it("the sandbox path needs a token of the owning account", async () => {
    const base = `http://${PLATFORM_HOST}${sandboxPath(open)}v1`;
    expect(await caught(client(base, "").models.list())).toBeInstanceOf(AuthenticationError);
    const stranger = await newAccount();
    expect(await caught(client(base, stranger.token).models.list())).toBeInstanceOf(NotFoundError);
    const completion = await client(base, account.token).chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "sandbox" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: sandbox");
  });

  it("success answers carry x-request-id (the id signed into the forward, which the origin adopts) and Server-Timing", async () => {
    const response = await edge(`http://${open.defaultHost}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "id" }] }),
    });
    expect(response.status).toBe(200);
    const id = response.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    await response.arrayBuffer();
    expect(response.headers.get("server-timing")).toMatch(/route;desc=/);
  });
});

describe("errors at the edge and from the origin are OpenAI's error object", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    edge(`http://${open.defaultHost}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body,
    });

  it("unknown /v1 path 404 and wrong method 405 (answered by the edge)", async () => {
    await expectOpenAiError(await post("/v1/embeddings", "{}"), 404, "not_found");
    const wrong = await edge(`http://${open.defaultHost}/v1/chat/completions`);
    expect(wrong.headers.get("allow")).toBe("POST");
    await expectOpenAiError(wrong, 405, "method_not_allowed");
    await expectOpenAiError(await post("/v1/models", "{}"), 405, "method_not_allowed");
  });

  it("a body past 1 MiB is 413 and a huge message list a 400 with param", async () => {
    const huge = JSON.stringify({ messages: [{ role: "user", content: "x".repeat(1_100_000) }] });
    await expectOpenAiError(await post("/v1/chat/completions", huge), 413, "payload_too_large");
    const many = JSON.stringify({
      messages: Array.from({ length: 101 }, () => ({ role: "user", content: "x" })),
    });
    const error = await expectOpenAiError(await post("/v1/chat/completions", many), 400, "invalid_value");
    expect(error.param).toBe("messages");
  });

  it("headers past 12 KiB are 431 headers_too_large, not the origin's bare 431", async () => {
    const body = JSON.stringify({ messages: [{ role: "user", content: "hi" }] });
    const longBearer = { authorization: `Bearer ${"a".repeat(20_000)}` };
    const error = await expectOpenAiError(
      await post("/v1/chat/completions", body, longBearer),
      431,
      "headers_too_large",
    );
    expect(error.type).toBe("invalid_request_error");
    const manyHeaders = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`x-pad-${i}`, "p".repeat(400)]),
    );
    await expectOpenAiError(await post("/v1/chat/completions", body, manyHeaders), 431, "headers_too_large");
    // /chat/ says the same in the platform's shape.
    await expectError(await post("/chat/", body, longBearer), 431, "HEADERS_TOO_LARGE");
    // Just under the bound, the request is served.
    const fits = await post("/v1/chat/completions", body, { "x-pad": "p".repeat(10_000) });
    expect(fits.status).toBe(200);
  });

  it("hostile bodies are 400s naming their param, never 500s", async () => {
    for (const [body, code] of [
      ["{", "invalid_json"],
      ["null", "invalid_json"],
      ['{"messages":[{"role":"user","content":"x"}],"__proto__":{"x":1}}', "unknown_parameter"],
      ['{"messages":[{"role":"user","content":{"$gt":""}}]}', "invalid_value"],
      ['{"messages":"hi"}', "invalid_value"],
      [JSON.stringify({ messages: [{ role: "user", content: "x" }], n: 5 }), "unsupported_parameter"],
    ] as const) {
      await expectOpenAiError(await post("/v1/chat/completions", body), 400, code);
    }
  });

  it("the official client throws the right class with status and code", async () => {
    const bad = await caught(
      hostClient(open).chat.completions.create({
        model: "gpt-test",
        messages: [{ role: "user", content: "x" }],
        n: 2,
      }),
    );
    expect(bad).toBeInstanceOf(BadRequestError);
    expect({ status: bad.status, code: bad.code, param: bad.param }).toEqual({
      status: 400,
      code: "unsupported_parameter",
      param: "n",
    });
    const model = await caught(
      hostClient(open).chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] }),
    );
    expect(model).toBeInstanceOf(NotFoundError);
    expect(model.code).toBe("model_not_found");
  });

  it("a chatbot that is not ready answers 503 not_ready", async () => {
    // Deployed, then a re-verification step of the deployment workflow puts DNS and TLS back.
    const pending = await createChatbot(account, { provider: "openai", defaultModel: "gpt-test" });
    await control(`/chatbots/${pending.id}/statuses`, {
      dnsVerificationStatus: "Verifying",
      tlsCertificateIssuanceStatus: "Requested",
    });
    const error = await caught(hostClient(pending).models.list());
    expect(error).toBeInstanceOf(InternalServerError);
    expect({ status: error.status, code: error.code }).toEqual({ status: 503, code: "not_ready" });
    expect(error.headers?.get("x-should-retry")).toBe("false");
  });

  it("provider failures keep their status through the edge (429 with retry-after, 5xx)", async () => {
    const limited = await createChatbot(account, { provider: "openai", defaultModel: "status:429" });
    const rate = await caught(
      hostClient(limited).chat.completions.create({
        model: "status:429",
        messages: [{ role: "user", content: "x" }],
      }),
    );
    expect(rate).toBeInstanceOf(RateLimitError);
    expect(rate.code).toBe("provider_rate_limited");
    expect(rate.headers?.get("retry-after")).toBe("7");
    const failing = await createChatbot(account, { provider: "openai", defaultModel: "status:500" });
    const failed = await caught(
      hostClient(failing).chat.completions.create({
        model: "status:500",
        messages: [{ role: "user", content: "x" }],
        stream: true,
      }),
    );
    expect(failed).toBeInstanceOf(InternalServerError);
    expect({ status: failed.status, code: failed.code }).toEqual({ status: 502, code: "provider_error" });
  });
});

describe("API keys", () => {
  it("a chatbot with keys takes only its own, by Bearer or X-API-Key", async () => {
    const keyed = await createChatbot(account, { provider: "openai", defaultModel: "gpt-test" });
    const other = await createChatbot(account, { provider: "openai", defaultModel: "gpt-test" });
    const { key } = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: keyed.id,
      name: "a",
    });
    const { key: otherKey } = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: other.id,
      name: "b",
    });
    // The route record learns about the key through the write-through; poll until it does.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const error = await caught(hostClient(keyed, "").models.list()).catch(() => null);
      if (error instanceof AuthenticationError) break;
      if (Date.now() > deadline) throw new Error("the key never became required");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await caught(hostClient(keyed, otherKey).models.list())).toBeInstanceOf(PermissionDeniedError);
    expect(await caught(hostClient(keyed, "sk-made-up").models.list())).toBeInstanceOf(PermissionDeniedError);
    expect((await hostClient(keyed, key).models.list()).data.map((m) => m.id)).toEqual(["gpt-test"]);
    const byHeader = client(`http://${keyed.defaultHost}/v1`, "unused", {
      defaultHeaders: { authorization: null, "x-api-key": key },
    });
    const completion = await byHeader.chat.completions.create({
      model: "gpt-test",
      messages: [{ role: "user", content: "keyed" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: keyed");
  });
});

describe("broken provider streams end in an error the client throws", () => {
  it.each(["cut", "error-chunk", "stall"])(
    "%s: 50 of 50 trials throw, none ends quietly",
    async (behaviour) => {
      const bot = await createChatbot(account, { provider: "openai", defaultModel: behaviour });
      let thrown = 0;
      for (let batch = 0; batch < 5; batch++) {
        const results = await Promise.all(
          Array.from({ length: 10 }, async () => {
            const stream = await hostClient(bot).chat.completions.create({
              model: behaviour,
              messages: [{ role: "user", content: "a long answer please" }],
              stream: true,
            });
            let chunks = 0;
            try {
              for await (const _ of stream) chunks++;
              return { chunks, error: null };
            } catch (error) {
              return { chunks, error };
            }
          }),
        );
        for (const { chunks, error } of results) {
          expect(chunks).toBeGreaterThan(0);
          expect(error).toBeInstanceOf(APIError);
          thrown++;
        }
      }
      expect(thrown).toBe(50);
    },
    180_000,
  );
});
