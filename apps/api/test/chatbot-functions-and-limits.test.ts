// The admin API's share of points 7 and 8 of issue 10: a chatbot's rate limits (stored and
// validated; the origin counts with them) and its functions (enabled and
// disabled through chatbot.functions.*, shown by chatbot.get).
import { routeKey } from "@botgate/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAccount,
  expectTRPCError,
  startTestServer,
  type TestServer,
  type TestUser,
} from "./harness.ts";

let server: TestServer;
let admin: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  admin = await createAccount(server);
});
afterAll(async () => {
  await server?.close();
});

const routed = (id: number) => server.runtime.routes.get(routeKey({ kind: "id", id }));

describe("a chatbot's rate limits", () => {
  it("default to null (the platform's defaults), and stay out of the edge's route record", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "limitsDefault" });
    expect(bot).toMatchObject({
      rateLimitRequests: null,
      rateLimitClientRequests: null,
      rateLimitWindowSeconds: null,
    });
    // Counted at the origin, which reads them from the chatbot itself.
    expect(await routed(bot.id)).not.toHaveProperty("rateLimit");
  });

  it("are set at create and update, and shown by chatbot.get", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "limitsSet", rateLimitClientRequests: 5 });
    await admin.client.chatbot.update.mutate({
      id: bot.id,
      rateLimitRequests: 100,
      rateLimitWindowSeconds: 30,
    });
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({
      rateLimitRequests: 100,
      rateLimitClientRequests: 5,
      rateLimitWindowSeconds: 30,
    });
    await admin.client.chatbot.update.mutate({ id: bot.id, rateLimitClientRequests: null });
    expect(await admin.client.chatbot.get.query({ id: bot.id })).toMatchObject({
      rateLimitRequests: 100,
      rateLimitClientRequests: null,
      rateLimitWindowSeconds: 30,
    });
  });

  it.each([
    { rateLimitRequests: 0 },
    { rateLimitRequests: -1 },
    { rateLimitRequests: 1.5 },
    { rateLimitClientRequests: 1_000_001 },
    { rateLimitWindowSeconds: 86_401 },
    { rateLimitWindowSeconds: "60" },
  ])("refuses %j with BAD_REQUEST", async (fields) => {
    const bot = await admin.client.chatbot.create.mutate({
      name: `limitsBad${Math.floor(Math.random() * 1e9)}`,
    });
    await expectTRPCError(
      admin.client.chatbot.update.mutate({ id: bot.id, ...(fields as unknown as Record<string, number>) }),
      "BAD_REQUEST",
    );
  });
});

describe("chatbot.functions", () => {
  it("lists every function, none enabled at first", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "fnList" });
    expect(await admin.client.chatbot.functions.list.query({ chatbotId: bot.id })).toEqual({
      chatbotId: bot.id,
      functions: [
        { name: "calculator", enabled: false },
        { name: "date_calculator", enabled: false },
        { name: "get_current_weather", enabled: false },
      ],
      enabled: [],
    });
    expect(bot.functions).toEqual([]);
  });

  it("enables and disables idempotently, and chatbot.get shows the enabled ones", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "fnToggle" });
    await admin.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name: "get_current_weather" });
    await admin.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name: "calculator" });
    const twice = await admin.client.chatbot.functions.enable.mutate({
      chatbotId: bot.id,
      name: "calculator",
    });
    expect(twice.enabled).toEqual(["calculator", "get_current_weather"]);
    expect((await admin.client.chatbot.get.query({ id: bot.id })).functions).toEqual([
      "calculator",
      "get_current_weather",
    ]);
    await admin.client.chatbot.functions.disable.mutate({ chatbotId: bot.id, name: "calculator" });
    const after = await admin.client.chatbot.functions.disable.mutate({
      chatbotId: bot.id,
      name: "calculator",
    });
    expect(after.enabled).toEqual(["get_current_weather"]);
    expect(after.functions).toContainEqual({ name: "calculator", enabled: false });
  });

  it("survives concurrent enables of one function", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "fnRace" });
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        admin.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name: "date_calculator" }),
      ),
    );
    for (const result of results) expect(result.enabled).toEqual(["date_calculator"]);
  });

  it("refuses unknown function names and unknown chatbots", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "fnBad" });
    await expectTRPCError(
      admin.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name: "shell" as "calculator" }),
      "BAD_REQUEST",
    );
    await expectTRPCError(
      admin.client.chatbot.functions.list.query({ chatbotId: 2_000_000_000 }),
      "NOT_FOUND",
    );
  });
});
