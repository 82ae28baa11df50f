// Chat storage and /config/ are bounded: each message is stored once, a call carries at most
// so many messages of so many characters, a session keeps its newest turns only, /config/
// answers one page of history with a cursor for the rest, and a bad query or body parameter
// is a 400 with field errors (never a 500). Small limits make the bounds visible.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.ts";
import { backgroundSettled } from "../src/origin/background.ts";
import { createAccount, startTestServer, TEST_ENV, type TestServer, type TestUser } from "./harness.ts";

const LIMITS = {
  CHAT_MAX_MESSAGES_PER_CALL: "10",
  CHAT_MAX_MESSAGE_CHARS: "2000",
  CHAT_MAX_TURNS_PER_SESSION: "5",
  CHAT_HISTORY_PAGE_SIZE: "4",
};

let server: TestServer;
let admin: TestUser;
let chatbot: { id: number; hashedId: string };

beforeAll(async () => {
  server = await startTestServer({ env: LIMITS });
  admin = await createAccount(server);
  chatbot = await admin.client.chatbot.create.mutate({
    name: `bounds${randomBytes(4).toString("hex")}`,
    provider: "echo",
  });
});
afterAll(async () => {
  await server?.close();
});

interface ConfigAnswer {
  data: {
    history: {
      chat: { id: number } | null;
      chat_history: { id: number; role: string; content: string }[];
      chatbot_request_history: { request: Record<string, unknown> }[];
      next_cursor: string | null;
    };
  };
}
interface ErrorAnswer {
  error: { code: string; requestId: string; details: { fieldErrors: Record<string, string[]> } };
}

const url = (action: string) => `${server.url}/api/v1/chatbots/${chatbot.hashedId}/${action}`;
const auth = () => ({ authorization: `Bearer ${admin.token}` });

async function post(action: string, body: unknown) {
  const response = await fetch(url(action), {
    method: "POST",
    headers: { "content-type": "application/json", ...auth() },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function getConfig(query: string) {
  const response = await fetch(`${url("config/")}?${query}`, { headers: auth() });
  return { status: response.status, body: (await response.json()) as unknown };
}

async function chatTurn(sessionKey: string | null, messages: { role: string; content: string }[]) {
  const { status, body } = await post("chat/", { session_key: sessionKey, messages });
  expect(status).toBe(200);
  return (body as { data: { body: { metadata: { session_key: string } } } }).data.body.metadata.session_key;
}

/** Bytes the chat tables hold for this chatbot: message contents and request log entries. */
async function storedBytes(): Promise<number> {
  const [row] = await server.runtime.db.$queryRaw<{ bytes: bigint }[]>`
    SELECT
      (SELECT coalesce(sum(octet_length(h."content")), 0) FROM "ChatHistory" h
         JOIN "Chat" c ON c."id" = h."chatId" WHERE c."chatbotId" = ${chatbot.id})
    + (SELECT coalesce(sum(octet_length(r."request"::text)), 0) FROM "ChatBotRequests" r
         WHERE r."chatbotId" = ${chatbot.id}) AS bytes`;
  return Number(row?.bytes ?? 0);
}

describe("chat/ storage", () => {
  it("stores each message once: the bytes a call adds do not grow with the conversation it sends", async () => {
    const filler = "x".repeat(1_900);
    const conversation = Array.from({ length: 9 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `${i} ${filler}`,
    }));
    const question = { role: "user", content: "the same question" };

    // The request log is written after each answer: wait for it, so each figure is one call's.
    await backgroundSettled();
    const before = await storedBytes();
    await chatTurn(null, [question]);
    await backgroundSettled();
    const short = (await storedBytes()) - before;
    await chatTurn(null, [...conversation, question]);
    await backgroundSettled();
    const long = (await storedBytes()) - before - short;

    // The second call sent ~17 KB more; what it stored differs by a few digits of metadata.
    expect(Math.abs(long - short)).toBeLessThan(64);
    expect(short).toBeLessThan(1_000);
  });

  it("answers a message holding U+0000 and stores it with U+FFFD, which Postgres text can hold", async () => {
    const response = await post("chat/", { messages: [{ role: "user", content: "a\u0000b" }] });
    expect(response.status).toBe(200);
    const answer = response.body as {
      data: { body: { choices: { message: { content: string } }[]; metadata: { session_key: string } } };
    };
    // The answer goes back as the provider gave it (echo repeats the message).
    expect(answer.data.body.choices[0]?.message.content).toBe("Echo: a\u0000b");
    const config = await getConfig(`session_key=${answer.data.body.metadata.session_key}`);
    const history = (config.body as ConfigAnswer).data.history.chat_history;
    expect(history.map((m) => m.content).sort()).toEqual(["Echo: a\uFFFDb", "a\uFFFDb"]);
  });

  it("logs request metadata, never the messages", async () => {
    const sessionKey = await chatTurn(null, [
      { role: "user", content: "secret one" },
      { role: "assistant", content: "answer one" },
      { role: "user", content: "secret two" },
    ]);
    await backgroundSettled(); // the request log is written after the answer
    const [logged] = await server.runtime.db.chatBotRequests.findMany({ where: { sessionKey } });
    expect(logged?.request).toMatchObject({ command: "chat", message_count: 3, usage: expect.any(Object) });
    expect(JSON.stringify(logged?.request)).not.toContain("secret");
  });

  it("keeps the newest turns of a session and deletes the older ones", async () => {
    let sessionKey: string | null = null;
    for (let turn = 1; turn <= 8; turn++) {
      sessionKey = await chatTurn(sessionKey, [{ role: "user", content: `turn ${turn}` }]);
    }
    const chat = await server.runtime.db.chat.findUniqueOrThrow({
      where: { sessionKey: sessionKey ?? "" },
      include: { history: { orderBy: { id: "asc" } } },
    });
    // CHAT_MAX_TURNS_PER_SESSION=5: turns 4 to 8, a user message and an answer each.
    expect(chat.history.map((m) => m.content)).toEqual(
      [4, 5, 6, 7, 8].flatMap((turn) => [`turn ${turn}`, `Echo: turn ${turn}`]),
    );
  });

  it("chat/ refuses more messages per call, or longer ones, than configured (400, field errors)", async () => {
    const tooMany = Array.from({ length: 11 }, () => ({ role: "user", content: "hi" }));
    const tooLong = [{ role: "user", content: "x".repeat(2_001) }];
    for (const messages of [tooMany, tooLong]) {
      const { status, body } = await post("chat/", { messages });
      expect(status).toBe(400);
      expect((body as ErrorAnswer).error).toMatchObject({
        code: "BAD_REQUEST",
        requestId: expect.any(String),
        details: {
          fieldErrors: { messages: [expect.stringMatching(/at most (10 messages|2000 characters)/)] },
        },
      });
    }
    const atTheLimit = Array.from({ length: 10 }, () => ({ role: "user", content: "x".repeat(2_000) }));
    expect((await post("chat/", { messages: atTheLimit })).status).toBe(200);
  });

  it("v1/chat/completions refuses more messages per call, or longer ones, than configured (OpenAI's 400, with param)", async () => {
    const tooMany = Array.from({ length: 11 }, () => ({ role: "user", content: "hi" }));
    const tooLong = [{ role: "user", content: "x".repeat(2_001) }];
    for (const [messages, param] of [
      [tooMany, "messages"],
      [tooLong, "messages[0]"],
    ] as const) {
      const { status, body } = await post("v1/chat/completions", { messages });
      expect(status).toBe(400);
      expect(body).toEqual({
        error: {
          message: expect.stringMatching(/at most (10 messages|2000 characters)/),
          type: "invalid_request_error",
          param,
          code: "invalid_value",
        },
      });
    }
    const atTheLimit = Array.from({ length: 10 }, () => ({ role: "user", content: "x".repeat(2_000) }));
    expect((await post("v1/chat/completions", { messages: atTheLimit })).status).toBe(200);
  });
});

describe("config/ history", () => {
  /** A session of `turns` turns written straight to the database (no per-session cap applies). */
  async function seededSession(turns: number): Promise<{ sessionKey: string; ids: number[] }> {
    const db = server.runtime.db;
    const sessionKey = randomBytes(32).toString("hex");
    const chat = await db.chat.create({ data: { sessionKey, chatbotId: chatbot.id } });
    await db.chatHistory.createMany({
      data: Array.from({ length: turns * 2 }, (_, i) => ({
        chatId: chat.id,
        role: i % 2 === 0 ? "user" : "assistant",
        content: `message ${i}`,
      })),
    });
    await db.chatBotRequests.createMany({
      data: Array.from({ length: turns }, (_, i) => ({
        chatbotId: chatbot.id,
        sessionKey,
        request: { command: "chat", n: i },
      })),
    });
    const rows = await db.chatHistory.findMany({
      where: { chatId: chat.id },
      orderBy: { id: "asc" },
      select: { id: true },
    });
    return { sessionKey, ids: rows.map((r) => r.id) };
  }

  it("answers at most one page, newest first by page, and next_cursor walks the rest", async () => {
    const { sessionKey, ids } = await seededSession(25);
    const pages: ConfigAnswer["data"]["history"][] = [];
    let cursor: string | null = null;
    do {
      const query: string = `session_key=${sessionKey}${cursor === null ? "" : `&history_cursor=${cursor}`}`;
      const { status, body } = await getConfig(query);
      expect(status).toBe(200);
      const history: ConfigAnswer["data"]["history"] = (body as ConfigAnswer).data.history;
      expect(history.chat_history.length).toBeLessThanOrEqual(4);
      expect(history.chatbot_request_history.length).toBeLessThanOrEqual(4);
      pages.push(history);
      cursor = history.next_cursor;
    } while (cursor !== null && pages.length < 100);

    expect(pages).toHaveLength(13); // 50 messages, 4 a page
    expect(pages[0]?.chat_history.map((m) => m.content)).toEqual([
      "message 46",
      "message 47",
      "message 48",
      "message 49",
    ]);
    // Each page is in conversation order; walking back through them gives the whole session.
    const walked = [...pages].reverse().flatMap((page) => page.chat_history.map((m) => m.id));
    expect(walked).toEqual(ids);
    expect(pages.at(-1)?.next_cursor).toBeNull();
  });

  it("takes history_cursor in a POST body too", async () => {
    const { sessionKey, ids } = await seededSession(3);
    const first = (await post("config/", { session_key: sessionKey })).body as ConfigAnswer;
    expect(first.data.history.next_cursor).toBe(String(ids[2]));
    const second = await post("config/", {
      session_key: sessionKey,
      history_cursor: first.data.history.next_cursor,
    });
    expect(second.status).toBe(200);
    expect((second.body as ConfigAnswer).data.history).toMatchObject({
      chat_history: [{ id: ids[0] }, { id: ids[1] }],
      next_cursor: null,
    });
  });
});

describe("bad parameters", () => {
  const validKey = "a".repeat(64);

  it.each([
    ["session_key=short", "session_key"],
    [`session_key=${"A".repeat(64)}`, "session_key"],
    [`session_key=${validKey}x`, "session_key"],
    ["session_key=%zz%00", "session_key"],
    ["session_key=%E0%A4%A", "session_key"],
    [`session_key=${validKey}&history_cursor=abc`, "history_cursor"],
    ["history_cursor=0", "history_cursor"],
    ["history_cursor=-5", "history_cursor"],
    ["history_cursor=1.5", "history_cursor"],
    ["history_cursor=99999999999", "history_cursor"],
    ["history_cursor=2147483648", "history_cursor"],
  ])("GET config/?%s is a 400 naming %s", async (query, field) => {
    const { status, body } = await getConfig(query);
    expect(status).toBe(400);
    expect((body as ErrorAnswer).error).toMatchObject({
      code: "BAD_REQUEST",
      requestId: expect.any(String),
      details: { fieldErrors: { [field]: [expect.any(String)] } },
    });
  });

  it("ignores unknown query parameters and treats empty ones as absent", async () => {
    expect((await getConfig("session_key=&history_cursor=&debug=1&x=%zz")).status).toBe(200);
  });

  it.each([
    ["config/", "[]"],
    ["config/", "null"],
    ["config/", '"x"'],
    ["config/", '{"session_key":5}'],
    ["config/", '{"history_cursor":12}'],
    ["chat/", '{"messages":"hi"}'],
    ["chat/", '{"messages":[{"role":"tool","content":"hi"}]}'],
    ["chat/", '{"messages":[{"role":"user","content":5}]}'],
    ["chat/", '{"messages":[{"role":"user"}]}'],
  ])("POST %s %s is a 400 with field errors", async (action, body) => {
    const answer = await post(action, body);
    expect(answer.status).toBe(400);
    expect((answer.body as ErrorAnswer).error.code).toBe("BAD_REQUEST");
  });

  it.each([
    ['{"messages":[{"role":"user","content":"hi"}],"temperature":"hot"}', "temperature"],
    ['{"messages":[{"role":"user","content":"hi"}],"max_tokens":0}', "max_tokens"],
    ['{"messages":[{"role":"user","content":"hi"}],"stream":"yes"}', "stream"],
    ['{"messages":[{"role":"user","content":"hi"}],"model":7}', "model"],
  ])("POST v1/chat/completions %s is OpenAI's 400 naming param %s", async (body, param) => {
    const answer = await post("v1/chat/completions", body);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      error: { type: "invalid_request_error", param, code: "invalid_value" },
    });
  });
});

describe("configuration", () => {
  it("has documented defaults and refuses nonsense", () => {
    expect(parseEnv({ ...TEST_ENV })).toMatchObject({
      CHAT_MAX_MESSAGES_PER_CALL: 100,
      CHAT_MAX_MESSAGE_CHARS: 16_000,
      CHAT_MAX_TURNS_PER_SESSION: 200,
      CHAT_HISTORY_PAGE_SIZE: 20,
    });
    for (const [name, value] of [
      ["CHAT_MAX_MESSAGES_PER_CALL", "0"],
      ["CHAT_MAX_MESSAGE_CHARS", "lots"],
      ["CHAT_MAX_TURNS_PER_SESSION", "-1"],
      ["CHAT_HISTORY_PAGE_SIZE", "1.5"],
    ]) {
      expect(() => parseEnv({ ...TEST_ENV, [name as string]: value }), name).toThrow(name);
    }
  });
});
