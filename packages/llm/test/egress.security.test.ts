// A customer's provider record whose host resolves to loopback: with the egress policy of a
// non-development setup the call fails as a typed provider error before any request leaves,
// and the local server behind that name never sees one. In development it is reached.
import { BotgateError } from "@botgate/core";
import { lookupThrough } from "@botgate/egress/testing";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OpenAiCompatibleProvider, providerFailureOf } from "../src/index.ts";
import { type FakeOpenAiServer, startFakeOpenAi } from "../src/testing/fake-openai.ts";

let fake: FakeOpenAiServer;
let dns: TestDnsServer;
beforeAll(async () => {
  fake = await startFakeOpenAi();
  dns = await startTestDnsServer();
  dns.records("llm.rebind.example", { A: ["127.0.0.1"] });
});
afterAll(async () => {
  await fake?.close();
  await dns?.close();
});

const request = {
  model: "fake-model",
  messages: [{ role: "user" as const, content: "hi" }],
  temperature: null,
  maxTokens: null,
};

/** The fake server's URL under a name the test DNS server resolves to 127.0.0.1. */
const byName = () => fake.baseUrl.replace("127.0.0.1", "llm.rebind.example");

const provider = (baseUrl: string, development: boolean) =>
  new OpenAiCompatibleProvider({
    name: "acme",
    baseUrl,
    apiKey: "sk-test",
    egress: { development, lookup: lookupThrough([dns.address]) },
  });

async function failureOf(call: () => Promise<unknown>): Promise<BotgateError> {
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BotgateError);
  return error as BotgateError;
}

describe("a provider whose base URL leads to a private address", () => {
  it("fails completions and streams as PROVIDER_UNREACHABLE (configuration, not retryable), reaching nothing", async () => {
    const before = fake.requests.length;
    for (const baseUrl of [byName(), fake.baseUrl]) {
      const strict = provider(baseUrl, false);
      for (const error of [
        await failureOf(() => strict.complete(request)),
        await failureOf(async () => {
          for await (const _ of strict.stream(request)) {
            // drain
          }
        }),
      ]) {
        expect(error.code).toBe("PROVIDER_UNREACHABLE");
        expect(error.status).toBe(502);
        expect(error.message).toMatch(/private or loopback address/);
        // What DNS answered for the name stays inside the platform.
        expect(error.message).not.toContain("127.0.0.1");
        expect(providerFailureOf(error)).toMatchObject({
          provider: "acme",
          side: "configuration",
          retryable: false,
        });
      }
    }
    expect(fake.requests.length).toBe(before);
  });

  it("is reached in development through the same name and resolver", async () => {
    const before = fake.requests.length;
    const completion = await provider(byName(), true).complete(request);
    expect(completion.choices[0]?.message.content).toBeTruthy();
    expect(fake.requests.length).toBe(before + 1);
  });
});
