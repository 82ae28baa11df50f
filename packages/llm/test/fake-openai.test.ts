// The fake OpenAI server itself, driven by the official client: models, behaviour selection
// by header, and the recording tests rely on.
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeOpenAiServer, parseBehaviour, startFakeOpenAi } from "../src/testing/fake-openai.ts";

let fake: FakeOpenAiServer;
let client: OpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  client = new OpenAI({ baseURL: fake.baseUrl, apiKey: "k", maxRetries: 0 });
});
afterAll(() => fake.close());

describe("the fake OpenAI server", () => {
  it("lists its models", async () => {
    fake.models = ["one", "two"];
    const page = await client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(["one", "two"]);
  });

  it("picks a behaviour by header over the model name", async () => {
    const call = client.chat.completions.create(
      { model: "fake-model", messages: [{ role: "user", content: "x" }] },
      { headers: { "x-fake-behaviour": "status:418" } },
    );
    await expect(call).rejects.toMatchObject({ status: 418 });
  });

  it("streams usage only when asked, then [DONE]", async () => {
    const stream = await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "a b" }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Echo: a b");
  });

  it("records every request's body and headers", async () => {
    const before = fake.requests.length;
    await client.chat.completions.create({
      model: "fake-model",
      messages: [{ role: "user", content: "remember me" }],
      temperature: 1.5,
    });
    expect(fake.requests).toHaveLength(before + 1);
    expect(fake.requests.at(-1)).toMatchObject({
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer k" },
      body: { temperature: 1.5, messages: [{ content: "remember me" }] },
    });
  });

  it("parses behaviour names and falls back to normal", () => {
    expect(parseBehaviour("slow-chunks:25")).toEqual({ kind: "slow-chunks", ms: 25 });
    expect(parseBehaviour("status:503:bare")).toEqual({
      kind: "status",
      status: 503,
      retryAfter: false,
      echo: false,
    });
    expect(parseBehaviour("status:400:echo")).toEqual({
      kind: "status",
      status: 400,
      retryAfter: true,
      echo: true,
    });
    expect(parseBehaviour("status:200")).toEqual({ kind: "normal" });
    expect(parseBehaviour("gpt-4o")).toEqual({ kind: "normal" });
    expect(parseBehaviour(undefined)).toEqual({ kind: "normal" });
  });
});
