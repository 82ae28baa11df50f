// Streams a hostile provider can send to keep the origin's CPU or a connection busy: events
// that never end (whatever the declared content type; JSON is read whole, to the answer bound),
// floods of events nobody reads, and chunks that carry nothing. Each fails its one request (or
// is skipped) instead.
import { BotgateError } from "@botgate/core";
import { describe, expect, it } from "vitest";
import { type ChatCompletionChunk, OpenAiCompatibleProvider } from "../src/index.ts";
import { MAX_HOLLOW_CHUNKS } from "../src/openai-compatible.ts";

const encoder = new TextEncoder();

/** A provider whose every streamed answer is `pieces`, sent one by one; counts the bytes sent. */
function providerSending(pieces: () => Iterable<string>, contentType = "text/event-stream") {
  const sent = { bytes: 0 };
  const provider = new OpenAiCompatibleProvider({
    name: "hostile",
    baseUrl: "http://provider.invalid/v1",
    apiKey: "k",
    fetch: async () => {
      const iterator = pieces()[Symbol.iterator]();
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          const next = iterator.next();
          if (next.done) return controller.close();
          const bytes = encoder.encode(next.value);
          sent.bytes += bytes.byteLength;
          controller.enqueue(bytes);
        },
      });
      return new Response(body, { headers: { "content-type": contentType } });
    },
  });
  return { provider, sent };
}

const event = (choices: unknown[], extra: object = {}) =>
  `data: ${JSON.stringify({ id: "c", object: "chat.completion.chunk", created: 1, model: "m", choices, ...extra })}\n\n`;
const delta = (value: object, finish: string | null = null) =>
  event([{ index: 0, delta: value, finish_reason: finish }]);

const request = {
  model: "m",
  messages: [{ role: "user" as const, content: "hi" }],
  temperature: null,
  maxTokens: null,
};

async function run(provider: OpenAiCompatibleProvider) {
  const seen: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of provider.stream(request)) seen.push(chunk);
    return { seen, error: null };
  } catch (error) {
    expect(error).toBeInstanceOf(BotgateError);
    return { seen, error: error as BotgateError };
  }
}

function* repeat(piece: string, times: number) {
  for (let i = 0; i < times; i++) yield piece;
}

describe("a streamed answer", () => {
  it.each([
    [
      "a long line declared as an octet stream",
      "application/octet-stream",
      () => repeat("x".repeat(4096), 1024),
    ],
    ["short lines that never end an event", "text/event-stream", () => repeat(": c\n".repeat(1024), 1024)],
  ])("fails at the first event longer than 1 MiB: %s", async (_, contentType, pieces) => {
    const { provider, sent } = providerSending(function* () {
      yield "data: ";
      yield* pieces();
    }, contentType);
    const { error } = await run(provider);
    expect(error).toMatchObject({
      code: "PROVIDER_ERROR",
      message: "The provider's stream sent an event longer than 1 MiB, the longest the platform reads.",
      details: { providerFailure: { provider: "hostile", retryable: false } },
    });
    expect(sent.bytes).toBeLessThan(1.1 * 1024 * 1024);
  });

  it("declared as JSON (a provider ignoring stream: true) is read whole, and fails at the answer bound", async () => {
    const sent = { bytes: 0 };
    const provider = new OpenAiCompatibleProvider({
      name: "hostile",
      baseUrl: "http://provider.invalid/v1",
      apiKey: "k",
      maxAnswerBytes: 1024 * 1024,
      fetch: async () => {
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            const bytes = encoder.encode(sent.bytes === 0 ? '{"choices":[' : " ".repeat(4096));
            sent.bytes += bytes.byteLength;
            controller.enqueue(bytes);
          },
        });
        return new Response(body, { headers: { "content-type": "application/json" } });
      },
    });
    const { error } = await run(provider);
    expect(error).toMatchObject({
      code: "PROVIDER_ERROR",
      message: "The provider's answer exceeded 1 MiB, the longest answer the platform accepts.",
    });
    expect(sent.bytes).toBeLessThan(1.1 * 1024 * 1024);
  });

  it("reads its chunks past a flood of blank events and comments between them", async () => {
    const { provider } = providerSending(function* () {
      yield delta({ role: "assistant" });
      yield* repeat("\n\n".repeat(32 * 1024), 64);
      yield* repeat(": keep-alive\n\n".repeat(1024), 64);
      yield delta({ content: "hello" }, "stop");
      yield "data: [DONE]\n\n";
    });
    const { seen, error } = await run(provider);
    expect(error).toBeNull();
    expect(seen.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("hello");
  });

  it(`fails after ${MAX_HOLLOW_CHUNKS} chunks in a row that carry nothing, instead of streaming them for ever`, async () => {
    const { provider, sent } = providerSending(function* () {
      yield delta({ role: "assistant", content: "" });
      for (let i = 0; ; i++) yield i % 2 === 0 ? event([]) : delta({ role: "assistant", content: null });
    });
    const { seen, error } = await run(provider);
    expect(error).toMatchObject({
      code: "PROVIDER_ERROR",
      message: `The provider's stream sent ${MAX_HOLLOW_CHUNKS + 1} chunks in a row that carry nothing.`,
    });
    // The opening chunk, then the hollow ones before the last.
    expect(seen).toHaveLength(MAX_HOLLOW_CHUNKS + 1);
    expect(sent.bytes).toBeLessThan(1024 * 1024);
  });

  it("times out (idle) when only chunks that carry nothing come, however often", async () => {
    const provider = new OpenAiCompatibleProvider({
      name: "hostile",
      baseUrl: "http://provider.invalid/v1",
      apiKey: "k",
      idleTimeoutMs: 300,
      fetch: async () => {
        let opened = false;
        const body = new ReadableStream<Uint8Array>({
          async pull(controller) {
            if (opened) await new Promise((resolve) => setTimeout(resolve, 10));
            controller.enqueue(
              encoder.encode(opened ? event([]) : delta({ role: "assistant", content: "hi" })),
            );
            opened = true;
          },
        });
        return new Response(body, { headers: { "content-type": "text/event-stream" } });
      },
    });
    const { seen, error } = await run(provider);
    expect(error).toMatchObject({
      code: "PROVIDER_TIMEOUT",
      details: { providerFailure: { timeout: "idle" } },
    });
    expect(seen.length).toBeLessThan(MAX_HOLLOW_CHUNKS);
  });

  it("keeps going while chunks carry anything: text, or a field of the provider's own such as reasoning", async () => {
    const { provider } = providerSending(function* () {
      yield delta({ role: "assistant" });
      yield* repeat(delta({ reasoning_content: "." }), MAX_HOLLOW_CHUNKS * 2);
      yield* repeat(event([]), MAX_HOLLOW_CHUNKS - 2);
      yield delta({ content: "done" }, "stop");
      yield event([], { usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
      yield "data: [DONE]\n\n";
    });
    const { seen, error } = await run(provider);
    expect(error).toBeNull();
    expect(seen.at(-1)?.usage?.total_tokens).toBe(2);
  });
});
