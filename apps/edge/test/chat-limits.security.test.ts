// Chat rate limits through the edge (issue 10 point 7): the origin counts them, next to Redis
// (apps/api/test/chat-limits.security.test.ts has the rules in full); here, through workerd
// against the real API, a chatbot's own limits hold at its host, by the client address the edge
// signs, and the answers keep their headers and shapes on the way back. Every test has chatbots
// and client addresses of its own and a window far longer than any test, so each bound is exact.
import { beforeAll, describe, expect, it } from "vitest";
import { type Account, type Chatbot, createChatbot, edge, expectError, newAccount } from "./helpers.ts";

const randomByte = () => crypto.getRandomValues(new Uint8Array(1))[0] ?? 0;
/** A documentation-prefix IPv4 address (TEST-NET-3), random per call. */
const randomIp = () => `203.0.${randomByte()}.${randomByte()}`;

function chat(chatbot: Chatbot, headers: Record<string, string>, path = "/chat/"): Promise<Response> {
  return edge(`http://${chatbot.defaultHost}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
  });
}

const limitHeaders = (response: Response) => ({
  limit: response.headers.get("x-ratelimit-limit-requests"),
  remaining: response.headers.get("x-ratelimit-remaining-requests"),
  reset: response.headers.get("x-ratelimit-reset-requests"),
});

let account: Account;
beforeAll(async () => {
  account = await newAccount();
});

const limitedBot = (clientRequests: number) =>
  createChatbot(account, { rateLimitWindowSeconds: 3600, rateLimitClientRequests: clientRequests });

describe("chat rate limits at a chatbot's host", () => {
  it("count down in the answers' headers, then answer 429 with retry-after", async () => {
    const bot = await limitedBot(2);
    const client = { "cf-connecting-ip": randomIp() };
    const first = await chat(bot, client);
    expect(first.status).toBe(200);
    expect(limitHeaders(first)).toMatchObject({ limit: "2", remaining: "1" });
    expect(limitHeaders(first).reset).toMatch(/^(\d+ms|(\d+m)?\d+(\.\d+)?s)$/);
    expect(limitHeaders(await chat(bot, client))).toMatchObject({ limit: "2", remaining: "0" });
    const refused = await chat(bot, client);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(Math.ceil(Number(refused.headers.get("retry-after-ms")) / 1000)).toBe(retryAfter);
    expect(limitHeaders(refused)).toMatchObject({ limit: "2", remaining: "0" });
    await expectError(refused, 429, "RATE_LIMITED");
  });

  it("refuse /v1/chat/completions with OpenAI's error object and its headers", async () => {
    const bot = await limitedBot(1);
    const client = { "cf-connecting-ip": randomIp() };
    const first = await chat(bot, client, "/v1/chat/completions");
    expect(first.status).toBe(200);
    await first.body?.cancel();
    const refused = await chat(bot, client, "/v1/chat/completions");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-should-retry")).toBe("true");
    expect(limitHeaders(refused)).toMatchObject({ limit: "1", remaining: "0" });
    expect(await refused.json()).toMatchObject({ error: { type: "rate_limit_error", code: "rate_limited" } });
  });

  it("count a client by the address the edge signs, whatever forwarding headers it sends", async () => {
    const bot = await limitedBot(1);
    const ip = randomIp();
    expect((await chat(bot, { "cf-connecting-ip": ip })).status).toBe(200);
    // Claimed addresses are dropped at the edge: still the same client.
    const spoofed = await chat(bot, {
      "cf-connecting-ip": ip,
      "x-forwarded-for": randomIp(),
      "x-real-ip": randomIp(),
      forwarded: `for=${randomIp()}`,
    });
    expect(spoofed.status).toBe(429);
    await spoofed.body?.cancel();
    // Another address is another client.
    expect((await chat(bot, { "cf-connecting-ip": randomIp() })).status).toBe(200);
  });

  it("do not count /config/ or /v1/models", async () => {
    const bot = await limitedBot(1);
    const client = { "cf-connecting-ip": randomIp() };
    for (let i = 0; i < 3; i++) {
      for (const path of ["/config/", "/v1/models"]) {
        const response = await edge(`http://${bot.defaultHost}${path}`, { headers: client });
        expect(response.status).toBe(200);
        expect(response.headers.get("x-ratelimit-limit-requests")).toBeNull();
        await response.body?.cancel();
      }
    }
    expect((await chat(bot, client)).status).toBe(200);
  });
});
