// A chatbot's functions at the origin (issue 10 point 8), driven by the echo provider, which
// calls a function for "calc: …", "date: …" and "weather: …" when it is offered: the tool loop
// runs at the origin, the calls and results land in the session's history and /config/,
// and on /v1/chat/completions a client's own tools pass through untouched.
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

let weather: Server;
let server: TestServer;
let admin: TestUser;
let bot: { id: number; hashedId: string };

beforeAll(async () => {
  weather = createServer((req, res) => {
    const location = new URL(req.url ?? "/", "http://local").searchParams.get("location");
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ temperature: 18, conditions: `cloudy in ${location}` }));
  });
  await new Promise<void>((resolve) => weather.listen(0, "127.0.0.1", resolve));
  const weatherUrl = `http://127.0.0.1:${(weather.address() as AddressInfo).port}/now`;
  server = await startTestServer({ env: { WEATHER_SERVICE_URL: weatherUrl, WEATHER_TIMEOUT_MS: "5000" } });
  admin = await createAccount(server);
  bot = await admin.client.chatbot.create.mutate({
    name: `fn${randomBytes(4).toString("hex")}`,
    provider: "echo",
  });
  for (const name of ["calculator", "date_calculator", "get_current_weather"] as const) {
    await admin.client.chatbot.functions.enable.mutate({ chatbotId: bot.id, name });
  }
});
afterAll(async () => {
  await server?.close();
  weather?.closeAllConnections();
  await new Promise<void>((resolve) => (weather ? weather.close(() => resolve()) : resolve()));
});

async function post(id: { hashedId: string }, action: string, body: unknown) {
  const response = await fetch(`${server.url}/api/v1/chatbots/${id.hashedId}/${action}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

interface HistoryEntry {
  role: string;
  content: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  name?: string;
}

async function historyOf(sessionKey: string): Promise<HistoryEntry[]> {
  const { text } = await post(bot, "config/", { session_key: sessionKey });
  return (JSON.parse(text) as { data: { history: { chat_history: HistoryEntry[] } } }).data.history
    .chat_history;
}

describe("a chatbot's enabled functions on /chat/", () => {
  it("run at the origin, and the calls and results are stored in the history /config/ shows", async () => {
    const { status, text } = await post(bot, "chat/", {
      messages: [{ role: "user", content: "calc: (2+3)*4" }],
    });
    expect(status).toBe(200);
    const body = JSON.parse(text).data.body;
    expect(body.choices[0].message.content).toBe('Echo: {"expression":"(2+3)*4","result":20}');
    const history = await historyOf(body.metadata.session_key);
    expect(history.map((m) => m.role)).toEqual(["user", "assistant", "tool", "assistant"]);
    const [, call, result] = history;
    expect(call?.tool_calls?.[0]?.function).toEqual({
      name: "calculator",
      arguments: '{"expression":"(2+3)*4"}',
    });
    expect(result).toMatchObject({
      content: '{"expression":"(2+3)*4","result":20}',
      tool_call_id: call?.tool_calls?.[0]?.id,
      name: "calculator",
    });
  });

  it("ask the configured weather service", async () => {
    const { text } = await post(bot, "chat/", { messages: [{ role: "user", content: "weather: Oslo" }] });
    expect(JSON.parse(text).data.body.choices[0].message.content).toContain("cloudy in Oslo");
  });

  it("run before a streamed answer, which replays the loop's answer", async () => {
    const { status, text } = await post(bot, "chat/", {
      stream: true,
      messages: [{ role: "user", content: 'date: {"operation":"weekday","date":"2026-12-02"}' }],
    });
    expect(status).toBe(200);
    expect(text).toContain("Wednesday");
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("are not offered once disabled", async () => {
    const other = await admin.client.chatbot.create.mutate({
      name: `fn${randomBytes(4).toString("hex")}`,
      provider: "echo",
    });
    await admin.client.chatbot.functions.enable.mutate({ chatbotId: other.id, name: "calculator" });
    await admin.client.chatbot.functions.disable.mutate({ chatbotId: other.id, name: "calculator" });
    const { text } = await post(other, "chat/", { messages: [{ role: "user", content: "calc: 1+1" }] });
    expect(JSON.parse(text).data.body.choices[0].message.content).toBe("Echo: calc: 1+1");
  });
});

describe("a chatbot's enabled functions on /v1/chat/completions", () => {
  it("run when the client sends no tools", async () => {
    const { status, text } = await post(bot, "v1/chat/completions", {
      messages: [{ role: "user", content: "calc: 2^10" }],
    });
    expect(status).toBe(200);
    const completion = JSON.parse(text);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: "stop",
      message: { content: 'Echo: {"expression":"2^10","result":1024}' },
    });
    // Usage is summed over the loop's two provider calls.
    expect(completion.usage.total_tokens).toBeGreaterThan(0);
  });

  it("stay out when the client sends tools of its own, which pass to the provider unchanged", async () => {
    const clientTool = {
      type: "function",
      function: {
        name: "calculator",
        description: "the client's own",
        parameters: { type: "object", properties: {} },
      },
    };
    const { status, text } = await post(bot, "v1/chat/completions", {
      messages: [{ role: "user", content: "calc: 2+2" }],
      tools: [clientTool],
    });
    expect(status).toBe(200);
    // The call comes back to the client to run; the origin ran nothing.
    expect(JSON.parse(text).choices[0]).toMatchObject({
      finish_reason: "tool_calls",
      message: { tool_calls: [{ function: { name: "calculator", arguments: '{"expression":"2+2"}' } }] },
    });
  });
});
