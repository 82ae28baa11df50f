// What the origin accepts from a provider as a completion or a chunk: OpenAI's shape with the
// fields it relays and stores correctly typed, OpenAI's envelope filled in where a provider
// left it out, and anything else a provider adds passed through as is.
import { BotgateError } from "@botgate/core";
import { describe, expect, it } from "vitest";
import {
  type AnswerDefaults,
  answerDefaults,
  checkedChunk,
  checkedCompletion,
  MAX_FINISH_REASON_CHARS,
  MAX_TOOL_CALL_FIELD_CHARS,
} from "../src/shape.ts";

/** A fresh stream's defaults; `opened` names tool calls ("choice:call") earlier chunks began. */
const defaults = (opened: string[] = []): AnswerDefaults => ({
  id: "chatcmpl-fallback",
  created: 1_800_000_000,
  model: "asked-model",
  openedToolCalls: new Set(opened),
});
const envelope = { id: "c", object: "chat.completion.chunk", created: 1, model: "m" };
const completionEnvelope = { ...envelope, object: "chat.completion" };

const refused = (check: () => unknown) => {
  expect(check).toThrow(BotgateError);
  expect(check).toThrow(/^The provider answered something that is not a chat completion/);
};

/** `levels` arrays inside each other. */
const nested = (levels: number): unknown => {
  let value: unknown = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
};

describe("checkedChunk", () => {
  it("gives a usage-only chunk without choices an empty choices list, and its total", () => {
    expect(
      checkedChunk({ ...envelope, usage: { prompt_tokens: 3, completion_tokens: 1 } }, "p", defaults()),
    ).toEqual({
      ...envelope,
      usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
      choices: [],
    });
  });

  it("passes a provider's own fields through untouched, partial tool calls included", () => {
    const value = {
      ...envelope,
      x_provider: { trace: 1 },
      choices: [
        {
          index: 0,
          delta: { reasoning_content: "hmm", tool_calls: [{ index: 0, function: { arguments: '{"a' } }] },
          finish_reason: null,
          logprobs: null,
        },
      ],
    };
    // A later delta of a call an earlier chunk began: only its arguments.
    expect(checkedChunk(value, "p", defaults(["0:0"]))).toEqual(value);
  });

  it("gives a streamed tool call's first delta the id and type a provider left out, and only the first", () => {
    const stream = defaults();
    const delta = (calls: object[]) => ({
      ...envelope,
      choices: [{ index: 0, delta: { tool_calls: calls } }],
    });
    const callsOf = (value: object) => checkedChunk(value, "p", stream).choices[0]?.delta.tool_calls ?? [];
    const [first, second] = callsOf(
      delta([
        { index: 0, function: { name: "calculator", arguments: "" } },
        { index: 1, id: "call_own", type: "function", function: { name: "f", arguments: "" } },
      ]),
    );
    expect(first).toMatchObject({
      index: 0,
      type: "function",
      id: expect.stringMatching(/^call_[0-9a-f-]{36}$/),
    });
    expect(second).toMatchObject({ index: 1, id: "call_own" });
    expect(callsOf(delta([{ index: 0, function: { arguments: '{"expression":"1"}' } }]))).toEqual([
      { index: 0, function: { arguments: '{"expression":"1"}' } },
    ]);
  });

  it("fills in the envelope a provider sent as nulls, and names the role assistant", () => {
    const value = {
      id: null,
      object: null,
      created: null,
      model: null,
      choices: [{ index: null, delta: { role: "system", content: "x" }, finish_reason: null }],
    };
    expect(checkedChunk(value, "p", defaults())).toEqual({
      id: "chatcmpl-fallback",
      object: "chat.completion.chunk",
      created: 1_800_000_000,
      model: "asked-model",
      choices: [{ index: 0, delta: { role: "assistant", content: "x" }, finish_reason: null }],
    });
  });

  it.each([
    ["negative", { prompt_tokens: -5, completion_tokens: 1, total_tokens: 1 }],
    ["fractional", { prompt_tokens: 1.5, completion_tokens: 1 }],
    ["textual", { prompt_tokens: 1, completion_tokens: 1, total_tokens: "NaN" }],
    ["absurd", { prompt_tokens: 1e308, completion_tokens: 1 }],
  ])("drops %s usage from a chunk with choices as unreported", (_name, counts) => {
    const checked = checkedChunk({ ...envelope, choices: [], usage: counts }, "p", defaults());
    expect(checked).toEqual({ ...envelope, choices: [] });
  });

  it.each([
    ["no choices and no usage", { id: "c" }],
    ["usage that is not an object", { id: "c", usage: [1] }],
    [
      "no choices and usage that is not counts",
      { id: "c", usage: { prompt_tokens: -1, completion_tokens: 0 } },
    ],
    ["content that is a number", { choices: [{ delta: { content: 42 } }] }],
    ["content that is an object", { choices: [{ delta: { content: { text: "x" } } }] }],
    ["a delta that is null", { choices: [{ delta: null }] }],
    ["a finish_reason that is an object", { choices: [{ delta: {}, finish_reason: { a: 1 } }] }],
    [
      "a finish_reason longer than 64 characters",
      { choices: [{ delta: {}, finish_reason: "x".repeat(MAX_FINISH_REASON_CHARS + 1) }] },
    ],
    ["a 500 KB finish_reason", { choices: [{ delta: {}, finish_reason: "x".repeat(500_000) }] }],
    [
      "a tool call id longer than 255 characters",
      { choices: [{ delta: { tool_calls: [{ index: 0, id: "c".repeat(MAX_TOOL_CALL_FIELD_CHARS + 1) }] } }] },
    ],
    [
      "a function name longer than 255 characters",
      {
        choices: [
          {
            delta: {
              tool_calls: [{ index: 0, function: { name: "n".repeat(MAX_TOOL_CALL_FIELD_CHARS + 1) } }],
            },
          },
        ],
      },
    ],
    ["tool_calls that are a string", { choices: [{ delta: { tool_calls: "nope" } }] }],
    ["a tool call with a numeric id", { choices: [{ delta: { tool_calls: [{ id: 5 }] } }] }],
    [
      "tool arguments that are not a string",
      { choices: [{ delta: { tool_calls: [{ function: { arguments: {} } }] } }] },
    ],
    [
      "an extra field nested 100 000 levels deep",
      { choices: [{ delta: { content: "x", extra: nested(100_000) } }] },
    ],
  ])("refuses %s", (_name, value) => {
    refused(() => checkedChunk(value, "p", defaults()));
  });
});

describe("checkedCompletion", () => {
  it("accepts content null with a refusal or tool calls, and keeps extra fields", () => {
    const value = {
      ...completionEnvelope,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [{ id: "t", type: "function", function: { name: "calculator", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: {
        prompt_tokens: 1,
        completion_tokens: 2,
        total_tokens: 3,
        prompt_tokens_details: { cached_tokens: 0 },
      },
      system_fingerprint: "fp",
    };
    expect(checkedCompletion(value, "p", defaults())).toEqual(value);
  });

  it("refuses a function call without its function's name or arguments", () => {
    const withCall = (call: unknown) => ({
      ...completionEnvelope,
      choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [call] } }],
    });
    for (const call of [
      { id: "t", type: "function" },
      { id: "t", function: { arguments: "{}" } },
      { id: "t", type: "function", function: { name: "", arguments: "{}" } },
      { id: "t", type: "function", function: { name: "calculator" } },
    ]) {
      refused(() => checkedCompletion(withCall(call), "p", defaults()));
    }
    // A client's custom tool names no function: it passes as sent.
    const custom = { id: "t", type: "custom", custom: { name: "grep", input: "x" } };
    expect(checkedCompletion(withCall(custom), "p", defaults()).choices[0]?.message.tool_calls).toEqual([
      custom,
    ]);
  });

  it("gives a tool call without an id one of its own, and the type function", () => {
    const checked = checkedCompletion(
      {
        ...completionEnvelope,
        choices: [
          {
            message: {
              content: null,
              tool_calls: [
                { function: { name: "calculator", arguments: "{}" } },
                { id: null, function: { name: "calculator", arguments: "{}" } },
              ],
            },
          },
        ],
      },
      "p",
      defaults(),
    );
    const calls = checked.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((call) => call.type)).toEqual(["function", "function"]);
    expect(calls[0]?.id).toMatch(/^call_[0-9a-f-]{36}$/);
    expect(calls[1]?.id).toMatch(/^call_[0-9a-f-]{36}$/);
    expect(calls[0]?.id).not.toBe(calls[1]?.id);
  });

  it("fills in a missing envelope: id, object, created, model, indexes and the assistant role", () => {
    const checked = checkedCompletion(
      { choices: [{ message: { content: "a" } }, { index: "1", message: { role: "system", content: "b" } }] },
      "p",
      defaults(),
    );
    expect(checked).toEqual({
      id: "chatcmpl-fallback",
      object: "chat.completion",
      created: 1_800_000_000,
      model: "asked-model",
      choices: [
        { index: 0, message: { role: "assistant", content: "a" } },
        { index: 1, message: { role: "assistant", content: "b" } },
      ],
    });
  });

  it("drops usage that is not whole non-negative counts, and keeps the answer", () => {
    const checked = checkedCompletion(
      {
        ...completionEnvelope,
        choices: [{ index: 0, message: { role: "assistant", content: "x" } }],
        usage: { prompt_tokens: -5, completion_tokens: 1e308, total_tokens: "NaN" },
      },
      "p",
      defaults(),
    );
    expect(checked.usage).toBeUndefined();
    expect(checked.choices[0]?.message.content).toBe("x");
  });

  it("makes a fresh id per answer when the provider gives none", () => {
    const a = answerDefaults("m");
    const b = answerDefaults("m");
    expect(a.id).toMatch(/^chatcmpl-[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(Math.abs(a.created - Date.now() / 1000)).toBeLessThan(5);
  });

  it.each([
    ["a string", "<html>"],
    ["no choices", { id: "c", choices: [] }],
    ["content that is a number", { choices: [{ message: { content: 42 } }] }],
    [
      "a tool name that is an object",
      { choices: [{ message: { tool_calls: [{ function: { name: { n: 1 } } }] } }] },
    ],
    ["an error object in a 200", { error: { message: "I am an error" } }],
    [
      "a finish_reason longer than 64 characters",
      { choices: [{ message: { content: "x" }, finish_reason: "x".repeat(MAX_FINISH_REASON_CHARS + 1) }] },
    ],
    [
      "a tool call id longer than 255 characters",
      {
        choices: [
          {
            message: {
              tool_calls: [
                {
                  id: "c".repeat(MAX_TOOL_CALL_FIELD_CHARS + 1),
                  function: { name: "calculator", arguments: "{}" },
                },
              ],
            },
          },
        ],
      },
    ],
    [
      "a function name longer than 255 characters",
      {
        choices: [
          {
            message: {
              tool_calls: [
                { id: "t", function: { name: "n".repeat(MAX_TOOL_CALL_FIELD_CHARS + 1), arguments: "{}" } },
              ],
            },
          },
        ],
      },
    ],
    [
      "an extra field nested 100 000 levels deep",
      { choices: [{ message: { content: "x", extra: nested(100_000) } }] },
    ],
  ])("refuses %s", (_name, value) => {
    refused(() => checkedCompletion(value, "p", defaults()));
  });

  it("accepts a finish_reason, tool call id and function name at their length limits", () => {
    const value = {
      ...completionEnvelope,
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "c".repeat(MAX_TOOL_CALL_FIELD_CHARS),
                type: "function",
                function: { name: "n".repeat(MAX_TOOL_CALL_FIELD_CHARS), arguments: "{}" },
              },
            ],
          },
          finish_reason: "x".repeat(MAX_FINISH_REASON_CHARS),
        },
      ],
    };
    expect(checkedCompletion(value, "p", defaults())).toEqual(value);
  });

  it("accepts extra fields nested a few levels, as providers' own metadata is", () => {
    const value = {
      ...completionEnvelope,
      choices: [{ index: 0, message: { role: "assistant", content: "x", annotations: nested(10) } }],
    };
    expect(checkedCompletion(value, "p", defaults())).toEqual(value);
  });
});
