import { BotgateError } from "@botgate/core";
import { describe, expect, it } from "vitest";
import {
  calculator,
  completeWithTools,
  createFunctionLibrary,
  dateCalculator,
  EchoProvider,
  functionsFor,
  MAX_CALLS_PER_ANSWER,
  MAX_CALLS_PER_ROUND,
} from "../src/index.ts";
import type { CallOptions, ChatCompletion, CompletionRequest } from "../src/types.ts";
import { ScriptedProvider } from "./scripted-provider.ts";

const request: CompletionRequest = {
  model: "scripted",
  messages: [{ role: "user", content: "What is 2+3, and what weekday is 2026-12-02?" }],
  temperature: null,
  maxTokens: null,
};

describe("completeWithTools", () => {
  it("offers the tools, runs the calls, feeds results back and returns the answer with the transcript", async () => {
    const provider = new ScriptedProvider([
      {
        calls: [
          { name: "calculator", arguments: '{"expression":"2+3"}' },
          { name: "date_calculator", arguments: '{"operation":"weekday","date":"2026-12-02"}' },
        ],
      },
      { text: "5, on a Wednesday." },
    ]);
    const result = await completeWithTools(provider, request, [calculator, dateCalculator]);

    expect(result.completion.choices[0]?.message.content).toBe("5, on a Wednesday.");
    expect(result.calls).toBe(2);
    expect(result.usage).toEqual({ prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 });
    expect(result.completion.usage).toEqual(result.usage);
    expect(result.transcript).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_1_0",
            type: "function",
            function: { name: "calculator", arguments: '{"expression":"2+3"}' },
          },
          {
            id: "call_1_1",
            type: "function",
            function: { name: "date_calculator", arguments: '{"operation":"weekday","date":"2026-12-02"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1_0", content: '{"expression":"2+3","result":5}' },
      { role: "tool", tool_call_id: "call_1_1", content: '{"date":"2026-12-02","weekday":"Wednesday"}' },
    ]);
    // First call: the tools are offered; second call: the transcript follows the user's messages.
    expect(
      provider.requests[0]?.tools?.map((t) => (t.type === "function" ? t.function.name : t.type)),
    ).toEqual(["calculator", "date_calculator"]);
    expect(provider.requests[0]?.toolChoice).toBe("auto");
    expect(provider.requests[1]?.messages).toEqual([...request.messages, ...result.transcript]);
  });

  it("answers in one call, adding nothing, when the model does not use a tool", async () => {
    const provider = new ScriptedProvider([{ text: "Hello." }]);
    const result = await completeWithTools(provider, request, [calculator]);
    expect(result).toMatchObject({ calls: 1, transcript: [] });
    expect(result.completion.choices[0]?.message.content).toBe("Hello.");
  });

  it("offers no tools when the chatbot has none enabled", async () => {
    const provider = new ScriptedProvider([{ text: "No tools." }]);
    await completeWithTools(provider, request, []);
    expect(provider.requests[0]?.tools).toBeUndefined();
  });

  it("hands unknown functions and bad arguments back to the model as error results", async () => {
    const provider = new ScriptedProvider([
      {
        calls: [
          { name: "rm_rf", arguments: "{}" },
          { name: "calculator", arguments: "{not json" },
        ],
      },
      { text: "Sorry." },
    ]);
    const { transcript } = await completeWithTools(provider, request, [calculator]);
    expect(transcript.slice(1).map((m) => JSON.parse(String(m.content)).error.code)).toEqual([
      "unknown_function",
      "invalid_arguments",
    ]);
  });

  it("asks for an answer with tool_choice none after maxRounds rounds of calls", async () => {
    const provider = new ScriptedProvider([
      (req) =>
        req.toolChoice === "none"
          ? { text: "Giving up on tools: 4." }
          : { calls: [{ name: "calculator", arguments: '{"expression":"2+2"}' }] },
    ]);
    const result = await completeWithTools(provider, request, [calculator], { maxRounds: 2 });
    expect(result.calls).toBe(3);
    expect(provider.requests.map((r) => r.toolChoice)).toEqual(["auto", "auto", "none"]);
    expect(result.transcript).toHaveLength(4);
    expect(result.completion.choices[0]?.message.content).toBe("Giving up on tools: 4.");
  });

  it("fails with BAD_GATEWAY when the model keeps calling tools after being told not to", async () => {
    const provider = new ScriptedProvider([
      { calls: [{ name: "calculator", arguments: '{"expression":"1"}' }] },
    ]);
    const failure = await completeWithTools(provider, request, [calculator], { maxRounds: 1 }).catch(
      (e) => e,
    );
    expect(failure).toBeInstanceOf(BotgateError);
    expect(failure).toMatchObject({ code: "BAD_GATEWAY", details: { maxRounds: 1 } });
    expect(provider.requests).toHaveLength(2);
    // The two calls' tokens, for the owner's request log; no caller reads logDetails.
    expect(failure.logDetails).toEqual({
      usage: { prompt_tokens: 20, completion_tokens: 4, total_tokens: 24 },
    });
    expect(failure.toBody()).not.toHaveProperty("usage");
  });

  it("fails a turn with the provider's error and the tokens of the calls before it", async () => {
    const provider = new ScriptedProvider([
      { calls: [{ name: "calculator", arguments: '{"expression":"1"}' }] },
    ]);
    const answer = provider.complete.bind(provider);
    provider.complete = async (req: CompletionRequest) => {
      if (provider.requests.length === 1) throw new BotgateError("PROVIDER_ERROR", "The provider failed.");
      return answer(req);
    };
    const failure = await completeWithTools(provider, request, [calculator]).catch((e) => e);
    expect(failure).toMatchObject({ code: "PROVIDER_ERROR", message: "The provider failed." });
    expect(failure.logDetails).toEqual({
      usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 },
    });
  });

  it(`runs at most ${MAX_CALLS_PER_ROUND} calls of one answer; the others get an error result`, async () => {
    const calls = Array.from({ length: MAX_CALLS_PER_ROUND + 2 }, (_, i) => ({
      name: "calculator",
      arguments: JSON.stringify({ expression: `${i}+1` }),
    }));
    const provider = new ScriptedProvider([{ calls }, { text: "Done." }]);
    const { transcript } = await completeWithTools(provider, request, [calculator]);
    const results = transcript.slice(1).map((m) => JSON.parse(String(m.content)));
    expect(results).toHaveLength(MAX_CALLS_PER_ROUND + 2);
    expect(results.slice(0, MAX_CALLS_PER_ROUND).every((r) => r.error === undefined)).toBe(true);
    expect(results.slice(MAX_CALLS_PER_ROUND).map((r) => r.error.code)).toEqual([
      "invalid_arguments",
      "invalid_arguments",
    ]);
  });

  it(`fails with BAD_GATEWAY, running nothing, when one answer asks for more than ${MAX_CALLS_PER_ANSWER} calls`, async () => {
    const calls = Array.from({ length: 3000 }, () => ({
      name: "calculator",
      arguments: '{"expression":"1"}',
    }));
    const provider = new ScriptedProvider([{ calls }, { text: "never asked" }]);
    const failure = await completeWithTools(provider, request, [calculator]).catch((e) => e);
    expect(failure).toBeInstanceOf(BotgateError);
    expect(failure).toMatchObject({
      code: "BAD_GATEWAY",
      message: `The model asked for 3000 tool calls in one answer, more than the ${MAX_CALLS_PER_ANSWER} the platform accepts.`,
    });
    expect(provider.requests).toHaveLength(1);
  });

  it("lets provider failures through unchanged", async () => {
    const provider = new ScriptedProvider([]);
    provider.complete = async () => {
      throw new BotgateError("GATEWAY_TIMEOUT", "slow");
    };
    await expect(completeWithTools(provider, request, [calculator])).rejects.toMatchObject({
      code: "GATEWAY_TIMEOUT",
    });
  });

  it("gives the whole turn the provider's timeout: a loop past it fails as PROVIDER_TIMEOUT, rounds left or not", async () => {
    const slow = new ScriptedProvider([{ calls: [{ name: "calculator", arguments: '{"expression":"1"}' }] }]);
    const answer = slow.complete.bind(slow);
    // Ignores the signal, as a provider or function may: the loop stops at the next round.
    slow.complete = async (req) => {
      await new Promise((resolve) => setTimeout(resolve, 120));
      return answer(req);
    };
    const failure = await completeWithTools(Object.assign(slow, { timeoutMs: 300 }), request, [calculator], {
      maxRounds: 10,
    }).catch((e: unknown) => e);
    expect(failure).toMatchObject({
      code: "PROVIDER_TIMEOUT",
      status: 504,
      details: { providerFailure: { provider: "scripted", timeout: "total" } },
    });
    expect(slow.requests.length).toBeLessThan(10);
  });

  it("cancels the call in flight at the deadline; the caller leaving stays REQUEST_ABORTED", async () => {
    const waiting = new ScriptedProvider([]);
    const calls: AbortSignal[] = [];
    waiting.complete = (_req: CompletionRequest, options?: CallOptions) =>
      new Promise<ChatCompletion>((_resolve, reject) => {
        const signal = options?.signal as AbortSignal;
        calls.push(signal);
        signal.addEventListener("abort", () => reject(new BotgateError("REQUEST_ABORTED", "cancelled")));
      });
    const timed = await completeWithTools(Object.assign(waiting, { timeoutMs: 50 }), request, [
      calculator,
    ]).catch((e: unknown) => e);
    expect(timed).toMatchObject({ code: "PROVIDER_TIMEOUT", status: 504 });
    expect(calls[0]?.aborted).toBe(true);

    const caller = new AbortController();
    const leaving = completeWithTools(waiting, request, [calculator], {
      signal: caller.signal,
      timeoutMs: 60_000,
    });
    caller.abort();
    await expect(leaving).rejects.toMatchObject({ code: "REQUEST_ABORTED" });
  });

  it("runs a function whose executor throws as an error result", async () => {
    const broken = { ...calculator, execute: async () => Promise.reject(new Error("bug")) };
    const provider = new ScriptedProvider([
      { calls: [{ name: "calculator", arguments: '{"expression":"1"}' }] },
      { text: "ok" },
    ]);
    const { transcript } = await completeWithTools(provider, request, [broken]);
    expect(JSON.parse(String(transcript[1]?.content))).toMatchObject({
      error: { code: "evaluation_failed" },
    });
  });

  it("works with the library's enabled functions", async () => {
    const tools = functionsFor(createFunctionLibrary({ weather: { url: null, timeoutMs: 100 } }), [
      "get_current_weather",
    ]);
    const provider = new ScriptedProvider([
      { calls: [{ name: "get_current_weather", arguments: '{"location":"Paris"}' }] },
      { text: "Unknown." },
    ]);
    const { transcript } = await completeWithTools(provider, request, tools);
    expect(JSON.parse(String(transcript[1]?.content))).toMatchObject({ error: { code: "not_configured" } });
  });
});

describe("completeWithTools with the echo provider", () => {
  const ask = (content: string): CompletionRequest => ({ ...request, messages: [{ role: "user", content }] });

  it("calls calculator for 'calc: …' and answers with its result", async () => {
    const result = await completeWithTools(new EchoProvider({ pauseMs: 0 }), ask("calc: 2+3"), [calculator]);
    expect(result.calls).toBe(2);
    expect(result.transcript[0]).toMatchObject({
      role: "assistant",
      tool_calls: [{ type: "function", function: { name: "calculator", arguments: '{"expression":"2+3"}' } }],
    });
    expect(result.transcript[1]).toMatchObject({ role: "tool", content: '{"expression":"2+3","result":5}' });
    expect(result.completion.choices[0]?.message.content).toBe('Echo: {"expression":"2+3","result":5}');
  });

  it("calls date_calculator with the JSON after 'date:'", async () => {
    const { transcript } = await completeWithTools(
      new EchoProvider({ pauseMs: 0 }),
      ask('date: {"operation":"weekday","date":"2026-12-02"}'),
      [dateCalculator],
    );
    expect(transcript[1]?.content).toBe('{"date":"2026-12-02","weekday":"Wednesday"}');
  });

  it("answers in text when the function is not offered", async () => {
    const result = await completeWithTools(new EchoProvider({ pauseMs: 0 }), ask("calc: 2+3"), [
      dateCalculator,
    ]);
    expect(result).toMatchObject({ calls: 1, transcript: [] });
    expect(result.completion.choices[0]?.message.content).toBe("Echo: calc: 2+3");
  });
});
