// Both providers against what the chat origin relies on: answers, streams that end with one
// usage chunk, what is sent upstream, and streams that fail loudly instead of ending quietly.
import { BotgateError } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatCompletionChunk,
  type CompletionRequest,
  EchoProvider,
  OpenAiCompatibleProvider,
  providerFailureOf,
} from "../src/index.ts";
import { type FakeOpenAiServer, startFakeOpenAi } from "../src/testing/fake-openai.ts";

let fake: FakeOpenAiServer;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.close());

const request = (model: string, extra: Partial<CompletionRequest> = {}): CompletionRequest => ({
  model,
  messages: [
    { role: "system", content: "Be brief." },
    { role: "user", content: "hello there friend" },
  ],
  temperature: 0.3,
  maxTokens: 50,
  ...extra,
});

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function streamError(stream: AsyncIterable<ChatCompletionChunk>) {
  const seen: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) seen.push(chunk);
  } catch (error) {
    expect(error).toBeInstanceOf(BotgateError);
    return { error: error as BotgateError, seen };
  }
  throw new Error(`the stream ended without an error after ${seen.length} chunks`);
}

const textOf = (chunks: ChatCompletionChunk[]) =>
  chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");

function expectUsageLast(chunks: ChatCompletionChunk[]) {
  const last = chunks.at(-1);
  expect(last?.choices).toEqual([]);
  expect(last?.usage?.total_tokens).toBeGreaterThan(0);
  expect(chunks.filter((c) => c.choices.length === 0)).toHaveLength(1);
}

describe("EchoProvider", () => {
  const echo = new EchoProvider({ pauseMs: 0 });

  it("answers the last user message", async () => {
    const completion = await echo.complete(request("any"));
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there friend");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.completion_tokens).toBe(4);
  });

  it("streams word by word and ends with exactly one usage chunk without choices", async () => {
    const chunks = await collect(echo.stream(request("any")));
    expect(textOf(chunks)).toBe("Echo: hello there friend");
    expect(chunks.length).toBeGreaterThan(4);
    expectUsageLast(chunks);
  });

  it("stops at max tokens with finish_reason length", async () => {
    const completion = await echo.complete(request("any", { maxTokens: 2 }));
    expect(completion.choices[0]?.message.content).toBe("Echo: hello ");
    expect(completion.choices[0]?.finish_reason).toBe("length");
  });
});

describe("OpenAiCompatibleProvider", () => {
  const provider = (options: { timeoutMs?: number; idleTimeoutMs?: number } = {}) =>
    new OpenAiCompatibleProvider({ name: "acme", baseUrl: fake.baseUrl, apiKey: "sk-secret", ...options });

  it("completes and sends the model, temperature, max_tokens, system message and key upstream", async () => {
    const completion = await provider().complete(request("fake-model"));
    expect(completion.choices[0]?.message.content).toBe("Echo: hello there friend");
    const sent = fake.requests.at(-1);
    expect(sent?.headers.authorization).toBe("Bearer sk-secret");
    expect(sent?.body).toMatchObject({
      model: "fake-model",
      temperature: 0.3,
      max_tokens: 50,
      messages: [{ role: "system", content: "Be brief." }, { role: "user" }],
    });
    expect(sent?.body.stream).toBeFalsy();
  });

  it("omits unset temperature and max_tokens", async () => {
    await provider().complete(request("fake-model", { temperature: null, maxTokens: null }));
    const sent = fake.requests.at(-1)?.body;
    expect(sent).not.toHaveProperty("temperature");
    expect(sent).not.toHaveProperty("max_tokens");
  });

  it("streams with include_usage upstream and ends with one usage chunk", async () => {
    const chunks = await collect(provider().stream(request("fake-model")));
    expect(fake.requests.at(-1)?.body).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(textOf(chunks)).toBe("Echo: hello there friend");
    expectUsageLast(chunks);
  });

  it("passes tools upstream and relays the model's tool calls", async () => {
    fake.setResponder(() => ({ toolCalls: [{ name: "calculator", arguments: '{"expression":"1+1"}' }] }));
    try {
      const tools = [
        {
          type: "function" as const,
          function: { name: "calculator", parameters: { type: "object", properties: {} } },
        },
      ];
      const completion = await provider().complete(request("fake-model", { tools }));
      expect(fake.requests.at(-1)?.body.tools).toEqual(tools);
      expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
      const call = completion.choices[0]?.message.tool_calls?.[0];
      expect(call?.type === "function" && call.function).toEqual({
        name: "calculator",
        arguments: '{"expression":"1+1"}',
      });
      const chunks = await collect(provider().stream(request("fake-model", { tools })));
      expect(chunks.some((c) => c.choices[0]?.delta.tool_calls?.[0]?.function?.name === "calculator")).toBe(
        true,
      );
    } finally {
      fake.setResponder(null);
    }
  });

  it("tells a whole JSON completion, from a provider that ignores stream: true, as chunks", async () => {
    const chunks = await collect(provider().stream(request("no-stream")));
    expect(fake.requests.at(-1)?.body.stream).toBe(true);
    expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant");
    expect(textOf(chunks)).toBe("Echo: hello there friend");
    expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason))).toContain("stop");
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([chunks[0]?.id]));
    expectUsageLast(chunks);
  });

  it("tells a whole JSON answer's tool calls as streamed ones, each with its index, id and type", async () => {
    fake.setResponder(() => ({
      toolCalls: [
        { name: "calculator", arguments: '{"expression":"1+1"}' },
        { name: "date_calculator", arguments: "{}" },
      ],
    }));
    try {
      const chunks = await collect(provider().stream(request("no-stream")));
      const calls = chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
      expect(calls).toEqual([
        expect.objectContaining({
          index: 0,
          type: "function",
          function: expect.objectContaining({ name: "calculator" }),
        }),
        expect.objectContaining({
          index: 1,
          type: "function",
          function: expect.objectContaining({ name: "date_calculator" }),
        }),
      ]);
      expect(calls.every((call) => typeof call.id === "string" && call.id !== "")).toBe(true);
      expect(chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason))).toContain("tool_calls");
    } finally {
      fake.setResponder(null);
    }
  });

  it("keeps an active stream alive past the total timeout while chunks flow", async () => {
    // 8 pieces 150 ms apart: 1 s in all, far past the 500 ms total, each gap under the idle.
    const chunks = await collect(
      provider({ timeoutMs: 500, idleTimeoutMs: 5_000 }).stream(request("slow-chunks:150")),
    );
    expectUsageLast(chunks);
  });

  it("throws PROVIDER_TIMEOUT (idle) when a stream stalls after the first byte", async () => {
    const { error, seen } = await streamError(provider({ idleTimeoutMs: 300 }).stream(request("stall")));
    expect(seen.length).toBeGreaterThan(0);
    expect(error.code).toBe("PROVIDER_TIMEOUT");
    expect(providerFailureOf(error)?.timeout).toBe("idle");
  });

  it("throws PROVIDER_STREAM_INTERRUPTED when the connection is cut mid-stream", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { error, seen } = await streamError(provider().stream(request("cut")));
      expect(seen.length).toBeGreaterThan(0);
      expect(error.code).toBe("PROVIDER_STREAM_INTERRUPTED");
    }
  });

  it("throws PROVIDER_STREAM_INTERRUPTED on an error chunk mid-stream", async () => {
    for (let trial = 0; trial < 10; trial++) {
      const { error, seen } = await streamError(provider().stream(request("error-chunk")));
      expect(seen.length).toBeGreaterThan(0);
      expect(error.code).toBe("PROVIDER_STREAM_INTERRUPTED");
    }
  });

  it("throws REQUEST_ABORTED when the caller aborts, before or during the call", async () => {
    const before = new AbortController();
    before.abort();
    await expect(provider().complete(request("fake-model"), { signal: before.signal })).rejects.toMatchObject(
      {
        code: "REQUEST_ABORTED",
      },
    );
    const during = new AbortController();
    const { error } = await streamError(
      (async function* () {
        for await (const chunk of provider().stream(request("slow-chunks:100"), { signal: during.signal })) {
          during.abort();
          yield chunk;
        }
      })(),
    );
    expect(error.code).toBe("REQUEST_ABORTED");
  });

  it("does not count a slow consumer's pause as provider idleness", async () => {
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of provider({ idleTimeoutMs: 800 }).stream(request("fake-model"))) {
      chunks.push(chunk);
      if (chunks.length === 1) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    expectUsageLast(chunks);
  });
});

describe("OpenAiCompatibleProvider with a provider that answers nonsense", () => {
  const provider = () => new OpenAiCompatibleProvider({ name: "acme", baseUrl: fake.baseUrl, apiKey: "k" });

  it("refuses a 200 that is not a completion (PROVIDER_ERROR), never relays it", async () => {
    for (const model of ["garbage", "wrong-shape", "wrong-types"]) {
      await expect(provider().complete(request(model))).rejects.toMatchObject({
        code: "PROVIDER_ERROR",
        status: 502,
      });
    }
  });

  it("cuts off an answer that never ends, streamed or not, at the size limit (PROVIDER_ERROR, not retryable)", async () => {
    const limit = 256 * 1024;
    const bounded = new OpenAiCompatibleProvider({
      name: "acme",
      baseUrl: fake.baseUrl,
      apiKey: "k",
      maxAnswerBytes: limit,
      // Long enough that only the size limit can end these calls.
      timeoutMs: 120_000,
      idleTimeoutMs: 120_000,
    });
    const expected = {
      code: "PROVIDER_ERROR",
      status: 502,
      details: { providerFailure: { provider: "acme", side: "provider", retryable: false } },
    };
    await expect(bounded.complete(request("endless"))).rejects.toMatchObject(expected);
    const { error, seen } = await streamError(bounded.stream(request("endless")));
    expect(error).toMatchObject(expected);
    expect(error.message).toBe(
      "The provider's answer exceeded 262144 bytes, the longest answer the platform accepts.",
    );
    // It relayed what came before the limit, and nothing past it.
    expect(seen.length).toBeGreaterThan(100);
    expect(JSON.stringify(seen).length).toBeLessThan(limit);
  });

  it("refuses a stream event longer than 1 MiB (PROVIDER_ERROR, not retryable) before decoding it", async () => {
    // One event of 2 MiB without a line break, in 4 KiB pieces, as a hostile provider sends it.
    const piece = new TextEncoder().encode("x".repeat(4096));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode("data: "));
        if (sent >= 2 * 1024 * 1024) return controller.close();
        sent += piece.byteLength;
        controller.enqueue(piece);
      },
    });
    const longLine = new OpenAiCompatibleProvider({
      name: "acme",
      baseUrl: "http://provider.invalid/v1",
      apiKey: "k",
      fetch: async () => new Response(body, { headers: { "content-type": "text/event-stream" } }),
    });
    const { error } = await streamError(longLine.stream(request("any")));
    expect(error).toMatchObject({
      code: "PROVIDER_ERROR",
      status: 502,
      message: "The provider's stream sent an event longer than 1 MiB, the longest the platform reads.",
      details: { providerFailure: { provider: "acme", retryable: false } },
    });
    expect(sent).toBeLessThan(1.1 * 1024 * 1024);
  });

  it("refuses a JSON answer to a stream that is not a completion (PROVIDER_ERROR), relaying nothing", async () => {
    for (const body of ['{"hello":"world"}', "{ not json", '{"error":{"message":"no"}}']) {
      const jsonAnswer = new OpenAiCompatibleProvider({
        name: "acme",
        baseUrl: "http://provider.invalid/v1",
        apiKey: "k",
        fetch: async () => new Response(body, { headers: { "content-type": "application/json" } }),
      });
      const { error, seen } = await streamError(jsonAnswer.stream(request("any")));
      expect(error).toMatchObject({ code: "PROVIDER_ERROR", status: 502 });
      expect(seen).toEqual([]);
    }
  });

  it("throws when a stream turns to nonsense or ends without finishing", async () => {
    for (const model of ["garbage", "wrong-shape", "wrong-types", "no-done"]) {
      const { error, seen } = await streamError(provider().stream(request(model)));
      expect(seen.length).toBeGreaterThan(0);
      expect(error.status).toBe(502);
    }
  });
});
