// Hostile and malformed input never escapes as an exception or an unshaped answer: every
// response is a success or the one JSON error shape with its request id, and never a 500.
import { isOpenAiPath } from "@botgate/core";
import { beforeAll, describe, expect, it } from "vitest";
import { API_HOST, type Chatbot, createChatbot, edge, newAccount, PLATFORM_HOST } from "./helpers.ts";

let chatbot: Chatbot;
beforeAll(async () => {
  chatbot = await createChatbot(await newAccount());
});

/** Deterministic (seeded) choices, so a failure reproduces. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T;
}

const HOSTS = () => [
  chatbot.defaultHost,
  `${chatbot.defaultHost.toUpperCase()}.`,
  PLATFORM_HOST,
  API_HOST,
  `x.${PLATFORM_HOST}`,
  `bot.1234-5678.${API_HOST}`,
  `a.b.c.1234-5678-9012.${API_HOST}`,
  `${"a".repeat(63)}.example.com`,
  `${"a".repeat(64)}.example.com`,
  `${"abcdefgh.".repeat(30)}com`,
  "xn--bcher-kva.example",
  "bücher.example",
  "single-label",
  "-bad-.example.com",
  "127.0.0.1",
  "[::1]",
  "2130706433",
];

const PATHS = () => [
  "/",
  "/config/",
  "/chat/",
  "/v1/chat/completions",
  `/workbench/chatbots/${chatbot.hashedId}/config/`,
  `/api/v1/chatbots/${chatbot.id}/chat/`,
  "/api/v1/chatbots/0/config/",
  "/api/v1/chatbots/99999999999999999999/config/",
  "/api/v1/chatbots/r%00x/config/",
  "/workbench/chatbots/%ff/",
  "/config%2F",
  "//config//",
  `/${"a/".repeat(5000)}`,
  "/%F0%9F%98%80/",
  "/chat/?session_key=%00",
];

const METHODS = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"];

const HEADERS: Record<string, string>[] = [
  {},
  { authorization: "Bearer" },
  { authorization: `Bearer ${"x".repeat(5000)}` },
  { "x-api-key": '\'; DROP TABLE "ChatBotAPIKey"; --' },
  { "content-type": "application/json" },
  { "cf-connecting-ip": "not-an-ip; drop table" },
  { "x-request-id": "../../etc/passwd" },
];

const BODIES = [
  undefined,
  "",
  "{",
  "[]",
  '{"messages":"no"}',
  '{"messages":[{"role":"root","content":1}]}',
  "\u0000".repeat(100),
];

describe("any request", () => {
  it("answers a success or the JSON error shape, never a 500", async () => {
    const pick = random(20_260_101);
    const seen = new Set<number>();
    for (let i = 0; i < 250; i++) {
      const method = pick(METHODS);
      const body = method === "GET" || method === "HEAD" ? undefined : pick(BODIES);
      const url = `http://${pick(HOSTS())}${pick(PATHS())}`;
      let request: Request;
      try {
        request = new Request(url, {
          method,
          headers: pick(HEADERS),
          ...(body === undefined ? {} : { body }),
        });
      } catch {
        continue; // Not even a URL: it could never reach the worker.
      }
      const response = await edge(request);
      const label = `${method} ${url.slice(0, 120)}`;
      seen.add(response.status);
      expect(response.status, label).toBeLessThan(500);
      const requestId = response.headers.get("x-request-id");
      expect(requestId, label).toMatch(/^[0-9a-f-]{36}$/);
      if (response.status >= 400 && method !== "HEAD") {
        const error = await response.json<{
          error: { code: string; message: string; requestId?: string; type?: string; param?: unknown };
        }>();
        if (isOpenAiPath(new URL(url).pathname)) {
          // The OpenAI surface answers OpenAI's error object: its id is in X-Request-Id only.
          expect(Object.keys(error.error).sort(), label).toEqual(["code", "message", "param", "type"]);
        } else {
          expect(error.error.requestId, label).toBe(requestId);
        }
        expect(typeof error.error.code, label).toBe("string");
      } else {
        await response.body?.cancel();
      }
    }
    // The sample covered successes and the main refusals.
    expect([...seen].sort()).toEqual(expect.arrayContaining([200, 400, 404, 405]));
  });
});
