// Account provider records are URLs a customer chooses: outside a development setup they must
// not lead the chat origin to the platform's internals. provider.create/update refuse what is
// wrong as written (http, literal private addresses); a name that resolves to loopback passes
// that check and is refused when connecting, so the local server behind it gets no request.
// The platform default (OPENAI_BASE_URL, the operator's) is not restricted.
import { randomBytes } from "node:crypto";
import { lookupThrough } from "@botgate/egress/testing";
import { type FakeOpenAiServer, startFakeOpenAi } from "@botgate/llm/testing";
import { startTestDnsServer, type TestDnsServer } from "@botgate/provisioning/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { egressPolicyOf } from "../src/runtime.ts";
import {
  createAccount,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

const KEY = "sk-egress-test-key-1234";
const NAME = "llm.rebind.example";

/** Not a development setup: a public root domain (ENVIRONMENT=local alone is not enough). */
const STRICT_ENV = {
  PLATFORM_ROOT_DOMAIN: "botgate.example",
  EDGE_SHARED_SECRET: randomBytes(32).toString("hex"),
  SECRETS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
};

let fake: FakeOpenAiServer;
let dns: TestDnsServer;
let strict: TestServer;
let owner: TestUser;
let names = 0;
const fresh = (prefix = "llm") => `${prefix}${++names}`;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  dns = await startTestDnsServer();
  dns.records(NAME, { A: ["127.0.0.1"] });
  strict = await startTestServer({
    env: { ...STRICT_ENV, OPENAI_API_KEY: "sk-platform-key", OPENAI_BASE_URL: fake.baseUrl },
    // The env's policy, with names resolved by the test DNS server instead of the system's.
    egress: { development: false, lookup: lookupThrough([dns.address]) },
  });
  owner = await createAccount(strict);
});
afterAll(async () => {
  await strict?.close();
  await fake?.close();
  await dns?.close();
});

async function chat(target: TestServer, user: TestUser, chatbotId: number) {
  const response = await fetch(`${target.url}/api/v1/chatbots/${chatbotId}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${user.token}` },
    body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
  });
  return { status: response.status, body: (await response.json()) as { error?: { code?: string } } };
}

/**
 * A record whose URL passes provider.create (https, a public-looking name), then set to http
 * in the database: over http a connection that got through would be answered by the fake
 * server and counted, so "zero requests" means the connection was refused, not a TLS failure.
 */
async function rebindingProvider(target: TestServer, user: TestUser) {
  const port = new URL(fake.baseUrl).port;
  const record = await user.client.provider.create.mutate({
    name: fresh(),
    baseUrl: `https://${NAME}:${port}/v1`,
    apiKey: KEY,
    defaultModel: "fake-model",
  });
  await target.runtime.db.llmProvider.update({
    where: { id: record.id },
    data: { baseUrl: `http://${NAME}:${port}/v1` },
  });
  const bot = await user.client.chatbot.create.mutate({ name: fresh("bot"), provider: record.name });
  return { record, bot };
}

describe("the egress policy from the env", () => {
  it("is development only for a development setup", () => {
    expect(egressPolicyOf({ env: strict.runtime.env }).development).toBe(false);
  });
});

describe("provider.create and provider.update outside development", () => {
  it("refuse http, literal private/loopback addresses and local names, on the baseUrl field", async () => {
    for (const baseUrl of [
      "http://169.254.169.254/",
      "https://10.0.0.1/",
      "https://127.0.0.1:8443/v1",
      "https://[::1]/v1",
      "https://192.168.1.10/v1",
      "https://localhost/v1",
      "http://api.example.com/v1",
    ]) {
      const error = await expectTRPCError(
        owner.client.provider.create.mutate({ name: fresh(), baseUrl, apiKey: KEY }),
        "BAD_REQUEST",
      );
      expect(error.data?.fieldErrors, baseUrl).toHaveProperty("baseUrl");
    }
    const record = await owner.client.provider.create.mutate({
      name: fresh(),
      baseUrl: "https://api.example.com/v1",
      apiKey: KEY,
    });
    const moved = await expectTRPCError(
      owner.client.provider.update.mutate({ id: record.id, baseUrl: "https://10.0.0.1/v1", apiKey: KEY }),
      "BAD_REQUEST",
    );
    expect(moved.data?.fieldErrors?.baseUrl).toEqual([
      "The base URL must not point at a private or loopback address.",
    ]);
  });
});

describe("a provider whose name resolves to loopback, outside development", () => {
  it("fails chats with PROVIDER_UNREACHABLE and provider.test with the configuration side, reaching nothing", async () => {
    const { record, bot } = await rebindingProvider(strict, owner);
    const before = fake.requests.length;
    const { status, body } = await chat(strict, owner, bot.id);
    expect(status).toBe(502);
    expect(body.error?.code?.toUpperCase()).toBe("PROVIDER_UNREACHABLE");
    expect(JSON.stringify(body)).not.toContain("127.0.0.1");
    expect(await owner.client.provider.test.mutate({ id: record.id })).toMatchObject({
      ok: false,
      error: { code: "PROVIDER_UNREACHABLE", status: 502, side: "configuration", retryable: false },
    });
    expect(fake.requests.length).toBe(before);
  });

  it("leaves the platform default alone: OPENAI_BASE_URL on loopback answers", async () => {
    const bot = await owner.client.chatbot.create.mutate({ name: fresh("bot"), provider: "openai" });
    const before = fake.requests.length;
    const { status } = await chat(strict, owner, bot.id);
    expect(status).toBe(200);
    expect(fake.requests.length).toBe(before + 1);
  });
});

describe("the same record in development", () => {
  it("reaches the local server through the same name and resolver", async () => {
    const dev = await startTestServer({
      egress: { development: true, lookup: lookupThrough([dns.address]) },
    });
    try {
      expect(egressPolicyOf({ env: dev.runtime.env }).development).toBe(true);
      const user = await createAccount(dev);
      const { bot } = await rebindingProvider(dev, user);
      const before = fake.requests.length;
      const { status } = await chat(dev, user, bot.id);
      expect(status).toBe(200);
      expect(fake.requests.length).toBe(before + 1);
    } finally {
      await dev.close();
    }
  });
});
