// provider.* and what a chatbot's `provider` may name, end to end: records with sealed keys,
// the chatbot checks, provider.test, and chats answered through an account's provider and
// through the platform default, all against the local fake OpenAI server.
import { type FakeOpenAiServer, refusingBaseUrl, startFakeOpenAi } from "@botgate/llm/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.ts";
import {
  allowedModels,
  PROVIDER_CACHE_TTL_MS,
  platformProviderOf,
  providerResolver,
} from "../src/origin/provider.ts";
import { egressPolicyOf } from "../src/runtime.ts";
import {
  createAccount,
  createMember,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

const KEY = "sk-account-provider-secret-9876";

let fake: FakeOpenAiServer;
let server: TestServer;
let admin: TestUser;
let names = 0;
const fresh = (prefix = "llm") => `${prefix}${++names}`;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
  await fake?.close();
});

const create = (name = fresh(), extra: Record<string, unknown> = {}) =>
  admin.client.provider.create.mutate({ name, baseUrl: fake.baseUrl, apiKey: KEY, ...extra });

async function chat(target: TestServer, owner: TestUser, chatbotId: number, content = "hello") {
  const response = await fetch(`${target.url}/api/v1/chatbots/${chatbotId}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}` },
    body: JSON.stringify({ messages: [{ role: "user", content }] }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("provider records", () => {
  it("seal the key at rest and answer only its hint, at create, list and update", async () => {
    const created = await create("acme", { allowedModels: ["fake-model"], defaultModel: "fake-model" });
    expect(created).toMatchObject({ name: "acme", apiKeyHint: "…9876", allowedModels: ["fake-model"] });
    const list = await admin.client.provider.list.query();
    const updated = await admin.client.provider.update.mutate({ id: created.id, timeoutMs: 5_000 });
    for (const answer of [created, list, updated]) expect(JSON.stringify(answer)).not.toContain(KEY);
    expect(list.items.map((p) => p.name)).toContain("acme");
    expect(list.builtIn).toEqual([{ name: "echo", allowedModels: [] }]);
    const row = await server.runtime.db.llmProvider.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.apiKeySealed).not.toContain(KEY);
    expect(server.runtime.secrets.open(row.apiKeySealed)).toBe(KEY);
  });

  it("refuse the reserved names and a name the account already uses", async () => {
    for (const name of ["echo", "openai"]) {
      const error = await expectTRPCError(create(name), "BAD_REQUEST");
      expect(error.data?.fieldErrors).toHaveProperty("name");
    }
    const name = fresh();
    await create(name);
    const clash = await expectTRPCError(create(name), "CONFLICT");
    expect(clash.data?.fieldErrors).toHaveProperty("name");
    // Another account may use the same name.
    const other = await createAccount(server, "other");
    await other.client.provider.create.mutate({ name, baseUrl: fake.baseUrl, apiKey: KEY });
  });

  it("refuse a default model outside the allowed models, and a base URL change without the key", async () => {
    await expectTRPCError(create(fresh(), { allowedModels: ["a"], defaultModel: "b" }), "BAD_REQUEST");
    const provider = await create();
    const moved = await expectTRPCError(
      admin.client.provider.update.mutate({ id: provider.id, baseUrl: "https://elsewhere.example/v1" }),
      "BAD_REQUEST",
    );
    expect(moved.data?.fieldErrors).toHaveProperty("apiKey");
    const rekeyed = await admin.client.provider.update.mutate({
      id: provider.id,
      baseUrl: "https://elsewhere.example/v1",
      apiKey: "sk-new-key-abcdefgh",
    });
    expect(rekeyed).toMatchObject({ baseUrl: "https://elsewhere.example/v1", apiKeyHint: "…efgh" });
  });

  it("refuse bad input with field errors", async () => {
    for (const input of [
      { baseUrl: "ftp://x.example/v1" },
      { baseUrl: "not a url" },
      { baseUrl: "http://169.254.169.254/latest" },
      { baseUrl: "http://2852039166/v1" },
      { baseUrl: "http://[fd00:ec2::254]/v1" },
      { apiKey: "" },
      { apiKey: "sk with space" },
      { timeoutMs: 10 },
      { allowedModels: ["has space"] },
    ]) {
      await expectTRPCError(create(fresh(), input), "BAD_REQUEST");
    }
    await expectTRPCError(create("Upper Case"), "BAD_REQUEST");
  });

  it("are written by account admins only; members list them", async () => {
    const member = await createMember(server, admin.accountNumber, { username: fresh("member") });
    await expectTRPCError(
      member.client.provider.create.mutate({ name: fresh(), baseUrl: fake.baseUrl, apiKey: KEY }),
      "FORBIDDEN",
    );
    const provider = await create();
    expect((await member.client.provider.list.query()).items.map((p) => p.id)).toContain(provider.id);
  });

  it("cannot be deleted while a chatbot uses them", async () => {
    const provider = await create();
    const bot = await admin.client.chatbot.create.mutate({ name: fresh("bot"), provider: provider.name });
    await expectTRPCError(admin.client.provider.delete.mutate({ id: provider.id }), "CONFLICT");
    await admin.client.chatbot.update.mutate({ id: bot.id, provider: "echo" });
    expect(await admin.client.provider.delete.mutate({ id: provider.id })).toEqual({ id: provider.id });
    await expectTRPCError(admin.client.provider.delete.mutate({ id: provider.id }), "NOT_FOUND");
  });

  it("never lets a delete and a chatbot switching to the provider both succeed", async () => {
    for (let trial = 0; trial < 6; trial++) {
      const provider = await create();
      const bot = await admin.client.chatbot.create.mutate({ name: fresh("bot"), provider: "echo" });
      const [deleted, switched] = await Promise.allSettled([
        admin.client.provider.delete.mutate({ id: provider.id }),
        admin.client.chatbot.update.mutate({ id: bot.id, provider: provider.name }),
      ]);
      const row = await server.runtime.db.chatBot.findUniqueOrThrow({ where: { id: bot.id } });
      const exists = (await server.runtime.db.llmProvider.count({ where: { id: provider.id } })) === 1;
      expect([deleted.status, switched.status].sort()).toEqual(["fulfilled", "rejected"]);
      expect(row.provider === provider.name ? exists : !exists).toBe(true);
    }
  });

  it("cannot drop a model a chatbot uses from the allowed models", async () => {
    const provider = await create(fresh(), { allowedModels: ["m1", "m2"] });
    await admin.client.chatbot.create.mutate({
      name: fresh("bot"),
      provider: provider.name,
      defaultModel: "m2",
    });
    await expectTRPCError(
      admin.client.provider.update.mutate({ id: provider.id, allowedModels: ["m1"] }),
      "CONFLICT",
    );
  });
});

describe("a chatbot's provider", () => {
  it("must name one of its account's providers or echo (BAD_REQUEST with a field error)", async () => {
    const other = await createAccount(server, "neighbour");
    const theirs = await other.client.provider.create.mutate({
      name: fresh(),
      baseUrl: fake.baseUrl,
      apiKey: KEY,
    });
    for (const provider of ["nonexistent", theirs.name, "openai"]) {
      const error = await expectTRPCError(
        admin.client.chatbot.create.mutate({ name: fresh("bot"), provider }),
        "BAD_REQUEST",
      );
      expect(error.data?.fieldErrors).toHaveProperty("provider");
    }
    const bot = await admin.client.chatbot.create.mutate({ name: fresh("bot"), provider: "echo" });
    const error = await expectTRPCError(
      admin.client.chatbot.update.mutate({ id: bot.id, provider: theirs.name }),
      "BAD_REQUEST",
    );
    expect(error.data?.fieldErrors).toHaveProperty("provider");
  });

  it("must use a model its provider allows", async () => {
    const provider = await create(fresh(), { allowedModels: ["fake-model"] });
    const refused = await expectTRPCError(
      admin.client.chatbot.create.mutate({
        name: fresh("bot"),
        provider: provider.name,
        defaultModel: "gpt-9",
      }),
      "BAD_REQUEST",
    );
    expect(refused.data?.fieldErrors).toHaveProperty("defaultModel");
    const bot = await admin.client.chatbot.create.mutate({
      name: fresh("bot"),
      provider: provider.name,
      defaultModel: "fake-model",
    });
    await expectTRPCError(
      admin.client.chatbot.update.mutate({ id: bot.id, defaultModel: "gpt-9" }),
      "BAD_REQUEST",
    );
  });

  it("answers chats through the account's provider with the chatbot's settings", async () => {
    const provider = await create(fresh(), { defaultModel: "fake-model-mini" });
    const bot = await admin.client.chatbot.create.mutate({
      name: fresh("bot"),
      provider: provider.name,
      defaultSystemRole: "Answer in French.",
      defaultTemperature: 0.4,
      defaultMaxTokens: 77,
    });
    const { status, body } = await chat(server, admin, bot.id, "bonjour");
    expect(status).toBe(200);
    expect(body).toMatchObject({ choices: [{ message: { content: "Echo: bonjour" } }] });
    const sent = fake.requests.at(-1);
    expect(sent?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent?.body).toMatchObject({ model: "fake-model-mini", temperature: 0.4, max_tokens: 77 });
    expect(sent?.body.messages?.[0]).toMatchObject({ role: "system" });
    expect(String(sent?.body.messages?.[0]?.content)).toContain("Answer in French.");
  });

  it("answers an upstream failure with its mapped status, not a 200", async () => {
    const provider = await create();
    const bot = await admin.client.chatbot.create.mutate({
      name: fresh("bot"),
      provider: provider.name,
      defaultModel: "status:401",
    });
    const { status, body } = await chat(server, admin, bot.id);
    expect(status).toBe(502);
    expect(JSON.stringify(body).toUpperCase()).toContain("PROVIDER_AUTH"); // the OpenAI surface: code "provider_auth"
    expect(JSON.stringify(body)).not.toContain(KEY);
  });
});

describe("provider.test", () => {
  it("answers the latency of one tiny completion", async () => {
    const provider = await create(fresh(), { defaultModel: "fake-model" });
    const result = await admin.client.provider.test.mutate({ id: provider.id });
    expect(result).toMatchObject({ ok: true, model: "fake-model", error: null });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fake.requests.at(-1)?.body).toMatchObject({ model: "fake-model", max_tokens: 1 });
  });

  it("answers the mapped error: whose fault, retryable or not", async () => {
    const provider = await create();
    expect(await admin.client.provider.test.mutate({ id: provider.id, model: "status:403" })).toMatchObject({
      ok: false,
      error: {
        code: "PROVIDER_AUTH",
        status: 502,
        side: "configuration",
        retryable: false,
        upstreamStatus: 403,
      },
    });
    const unreachable = await create(fresh(), { defaultModel: "m" });
    await admin.client.provider.update.mutate({
      id: unreachable.id,
      baseUrl: await refusingBaseUrl(),
      apiKey: KEY,
    });
    expect(await admin.client.provider.test.mutate({ id: unreachable.id })).toMatchObject({
      ok: false,
      error: { code: "PROVIDER_UNREACHABLE", side: "provider", retryable: true },
    });
  });

  it("shows the owner the provider's own words about a rejected request, the key cut out", async () => {
    const provider = await create();
    const result = await admin.client.provider.test.mutate({ id: provider.id, model: "status:400:echo" });
    expect(result.error).toMatchObject({ code: "PROVIDER_REJECTED_REQUEST", upstreamStatus: 400 });
    expect(result.error?.providerMessage).toContain("fake upstream status 400");
    expect(result.error?.providerMessage).toContain("Bearer [redacted]");
    expect(result.error?.providerMessage).not.toContain(KEY);
    const unauthorized = await admin.client.provider.test.mutate({ id: provider.id, model: "status:401" });
    expect(unauthorized.error?.providerMessage).toBeNull();
  });

  it("needs a model when the provider names none", async () => {
    const provider = await create();
    await expectTRPCError(admin.client.provider.test.mutate({ id: provider.id }), "BAD_REQUEST");
  });
});

describe("the platform default provider", () => {
  it("is named openai, listed as built in, and answers chats with OPENAI_DEFAULT_MODEL", async () => {
    const platform = await startTestServer({
      env: {
        OPENAI_API_KEY: "sk-platform-key",
        OPENAI_BASE_URL: fake.baseUrl,
        OPENAI_ALLOWED_MODELS: "fake-model,fake-model-mini",
      },
    });
    try {
      const owner = await createAccount(platform);
      expect((await owner.client.provider.list.query()).builtIn).toContainEqual({
        name: "openai",
        allowedModels: ["fake-model", "fake-model-mini"],
      });
      await expectTRPCError(
        owner.client.chatbot.create.mutate({ name: fresh("bot"), provider: "openai", defaultModel: "gpt-9" }),
        "BAD_REQUEST",
      );
      const bot = await owner.client.chatbot.create.mutate({ name: fresh("bot"), provider: "openai" });
      const { status, body } = await chat(platform, owner, bot.id, "hi");
      expect(status).toBe(200);
      expect(body).toMatchObject({ choices: [{ message: { content: "Echo: hi" } }] });
      expect(fake.requests.at(-1)).toMatchObject({
        headers: { authorization: "Bearer sk-platform-key" },
        body: { model: "fake-model" },
      });
    } finally {
      await platform.close();
    }
  });
});

describe("the origin's provider resolution", () => {
  it("builds the chatbot's provider from its record and sees changes once the cache entry expires", async () => {
    let clock = 1_000_000;
    const resolver = providerResolver({
      db: server.runtime.db,
      secrets: server.runtime.secrets,
      platform: null,
      egress: egressPolicyOf(server.runtime),
      now: () => clock,
    });
    const record = await create(fresh(), { allowedModels: ["fake-model", "fake-model-mini"] });
    const chatbot = { accountId: admin.accountId, provider: record.name, defaultModel: null };
    const first = await resolver.forChatbot(chatbot);
    expect(first.provider.name).toBe(record.name);
    expect(allowedModels(chatbot, first)).toEqual(["fake-model", "fake-model-mini"]);
    await admin.client.provider.update.mutate({ id: record.id, allowedModels: ["fake-model"] });
    expect(await resolver.forChatbot(chatbot)).toBe(first);
    clock += PROVIDER_CACHE_TTL_MS + 1;
    const second = await resolver.forChatbot(chatbot);
    expect(allowedModels(chatbot, second)).toEqual(["fake-model"]);
    const completion = await second.provider.complete({
      model: "fake-model",
      messages: [{ role: "user", content: "through the record" }],
      temperature: null,
      maxTokens: null,
    });
    expect(completion.choices[0]?.message.content).toBe("Echo: through the record");
    expect(fake.requests.at(-1)?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it("answers echo for echo, and for openai without a platform default", async () => {
    const resolver = providerResolver({
      db: server.runtime.db,
      secrets: server.runtime.secrets,
      platform: null,
      egress: egressPolicyOf(server.runtime),
    });
    for (const provider of ["echo", "openai"]) {
      const chatbot = { accountId: admin.accountId, provider, defaultModel: null };
      const resolved = await resolver.forChatbot(chatbot);
      expect(resolved.provider.name).toBe("echo");
      expect(allowedModels(chatbot, resolved)).toEqual([provider]);
    }
  });

  it("refuses (UNAVAILABLE) a provider name the account does not have", async () => {
    const resolver = providerResolver({
      db: server.runtime.db,
      secrets: server.runtime.secrets,
      platform: null,
      egress: egressPolicyOf(server.runtime),
    });
    await expect(resolver.forChatbot({ accountId: admin.accountId, provider: "gone" })).rejects.toMatchObject(
      {
        code: "UNAVAILABLE",
      },
    );
  });
});

describe("the platform default's configuration", () => {
  it("is off without OPENAI_API_KEY and fills its defaults with it", () => {
    expect(platformProviderOf(parseEnv({}))).toBeNull();
    expect(platformProviderOf(parseEnv({ OPENAI_API_KEY: "sk-x" }))).toEqual({
      name: "openai",
      baseUrl: "https://api.openai.com/v1",
      apiKey: "sk-x",
      allowedModels: [],
      defaultModel: "gpt-4o-mini",
      timeoutMs: 60_000,
      idleTimeoutMs: 30_000,
    });
    expect(
      platformProviderOf(parseEnv({ OPENAI_API_KEY: "sk-x", OPENAI_ALLOWED_MODELS: " a, b ,," }))
        ?.defaultModel,
    ).toBe("a");
  });

  it("refuses a default model outside the allowed ones and out-of-range timeouts", () => {
    expect(() => parseEnv({ OPENAI_ALLOWED_MODELS: "a,b", OPENAI_DEFAULT_MODEL: "c" })).toThrow(
      /OPENAI_DEFAULT_MODEL: must be one of OPENAI_ALLOWED_MODELS/,
    );
    expect(() => parseEnv({ OPENAI_TIMEOUT_MS: "10" })).toThrow(/OPENAI_TIMEOUT_MS/);
    expect(() => parseEnv({ OPENAI_IDLE_TIMEOUT_MS: "soon" })).toThrow(/OPENAI_IDLE_TIMEOUT_MS/);
  });
});
