// What the origin accepts from a provider as a completion or a chunk: OpenAI's shape with the
// fields it relays and stores correctly typed; anything a provider adds passes through as is.
import { BotgateError } from "@botgate/core";
import { describe, expect, it } from "vitest";
import { checkedChunk, checkedCompletion } from "../src/shape.ts";

const refused = (check: () => unknown) => {
  expect(check).toThrow(BotgateError);
  expect(check).toThrow(/^The provider answered something that is not a chat completion/);
};

describe("checkedChunk", () => {
  it("gives a usage-only chunk without choices an empty choices list", () => {
    expect(checkedChunk({ id: "c", usage: { prompt_tokens: 3, completion_tokens: 1 } }, "p")).toEqual({
      id: "c",
      usage: { prompt_tokens: 3, completion_tokens: 1 },
      choices: [],
    });
  });

  it("passes a provider's own fields through untouched, partial tool calls included", () => {
    const value = {
      id: "c",
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
    expect(checkedChunk(value, "p")).toBe(value);
  });

  it.each([
    ["no choices and no usage", { id: "c" }],
    ["usage that is not an object", { id: "c", usage: [1] }],
    ["content that is a number", { choices: [{ delta: { content: 42 } }] }],
    ["content that is an object", { choices: [{ delta: { content: { text: "x" } } }] }],
    ["a delta that is null", { choices: [{ delta: null }] }],
    ["a finish_reason that is an object", { choices: [{ delta: {}, finish_reason: { a: 1 } }] }],
    ["tool_calls that are a string", { choices: [{ delta: { tool_calls: "nope" } }] }],
    ["a tool call with a numeric id", { choices: [{ delta: { tool_calls: [{ id: 5 }] } }] }],
    [
      "tool arguments that are not a string",
      { choices: [{ delta: { tool_calls: [{ function: { arguments: {} } }] } }] },
    ],
  ])("refuses %s", (_name, value) => {
    refused(() => checkedChunk(value, "p"));
  });
});

describe("checkedCompletion", () => {
  it("accepts content null with a refusal or tool calls, and keeps extra fields", () => {
    const value = {
      choices: [
        {
          message: {
            role: "assistant",
            content: null,
            refusal: null,
            tool_calls: [{ id: "t", type: "function", function: { name: "calculator", arguments: "{}" } }],
          },
          finish_reason: "tool_calls",
        },
      ],
      system_fingerprint: "fp",
    };
    expect(checkedCompletion(value, "p")).toBe(value);
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
  ])("refuses %s", (_name, value) => {
    refused(() => checkedCompletion(value, "p"));
  });
});
