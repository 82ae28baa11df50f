// What reaches the origin and what comes back: signed context headers, header hygiene, bodies
// and queries as sent, the chat API, OpenAI-compatible completions (streaming unbuffered) and
// API keys.
import { FORWARDED_HEADERS } from "@botgate/forwarding";
import { beforeAll, describe, expect, it } from "vitest";
import {
  type Account,
  API_HOST,
  type Chatbot,
  type ChatEnvelope,
  type ConfigEnvelope,
  createChatbot,
  edge,
  edgeWith,
  expectError,
  INSPECT_URL,
  newAccount,
  trpc,
} from "./helpers.ts";

interface Inspected {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  verification: { ok: boolean; context?: Record<string, string>; reason?: string; nonce?: string };
}

let account: Account;
let chatbot: Chatbot;

beforeAll(async () => {
  account = await newAccount();
  chatbot = await createChatbot(account, { defaultSystemRole: "Be brief." });
});

/** The same request through the worker, to an origin that answers with what it received. */
async function inspect(url: string, init?: RequestInit): Promise<{ response: Response; seen: Inspected }> {
  const response = await edgeWith({ ORIGIN_URL: INSPECT_URL }, url, init);
  expect(response.headers.get("x-inspected")).toBe("1");
  return { response, seen: await response.clone().json<Inspected>() };
}

describe("the forwarded request", () => {
  it("carries the resolved context, signed, and the path and query the origin expects", async () => {
    const { response, seen } = await inspect(`http://${chatbot.defaultHost}/config/?session_key=abc&x=1`, {
      headers: { "cf-connecting-ip": "203.0.113.7" },
    });
    expect(seen.method).toBe("GET");
    expect(seen.path).toBe(`/api/v1/chatbots/${chatbot.hashedId}/config/?session_key=abc&x=1`);
    expect(seen.verification).toEqual({
      ok: true,
      timestamp: expect.any(Number),
      nonce: expect.any(String),
      replayChecked: true,
      context: {
        chatbotId: String(chatbot.id),
        mode: "default",
        accountNumber: account.accountNumber,
        requestId: response.headers.get("x-request-id"),
        clientIp: "203.0.113.7",
        forwardedHost: chatbot.defaultHost,
        forwardedProto: "http",
      },
    });
    // Nothing unsigned names the request or its public address.
    expect(seen.headers["x-request-id"]).toBeUndefined();
    expect(seen.headers["x-forwarded-host"]).toBeUndefined();
    expect(seen.headers["x-forwarded-proto"]).toBeUndefined();
  });

  it("signs the body's SHA-256, the public host and the request id the origin records", async () => {
    const body = JSON.stringify({ messages: [{ role: "user", content: "signed ✓" }] });
    const { response, seen } = await inspect(`http://${chatbot.defaultHost}/chat/`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "bgk_sent" },
      body,
    });
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body)));
    const base64url = btoa(String.fromCharCode(...digest))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    expect(seen.body).toBe(body);
    expect(seen.headers[FORWARDED_HEADERS.bodyDigest]).toBe(base64url);
    expect(seen.headers["x-api-key"]).toBe("bgk_sent");
    // The inspecting origin verified the signature over exactly these bytes and headers.
    expect(seen.verification).toMatchObject({
      ok: true,
      context: {
        requestId: response.headers.get("x-request-id"),
        forwardedHost: chatbot.defaultHost,
        forwardedProto: "http",
      },
    });
  });

  it("gives every forward its own nonce", async () => {
    const url = `http://${chatbot.defaultHost}/config/`;
    const [first, second] = await Promise.all([inspect(url), inspect(url)]);
    expect(first.seen.verification.ok && second.seen.verification.ok).toBe(true);
    expect(first.seen.headers[FORWARDED_HEADERS.nonce]).not.toBe(
      second.seen.headers[FORWARDED_HEADERS.nonce],
    );
  });

  it("maps each endpoint to the origin's path", async () => {
    const post = { method: "POST", body: "{}" };
    expect((await inspect(`http://${chatbot.defaultHost}/chat/`, post)).seen.path).toBe(
      `/api/v1/chatbots/${chatbot.hashedId}/chat/`,
    );
    expect((await inspect(`http://${chatbot.defaultHost}/v1/chat/completions`, post)).seen.path).toBe(
      `/api/v1/chatbots/${chatbot.hashedId}/v1/chat/completions`,
    );
    const byId = await inspect(`http://${API_HOST}/api/v1/chatbots/${chatbot.id}/chat/`, {
      ...post,
      headers: { authorization: `Bearer ${account.token}` },
    });
    expect(byId.seen.path).toBe(`/api/v1/chatbots/${chatbot.hashedId}/chat/`);
    expect(byId.seen.verification.context?.mode).toBe("sandbox");
  });

  it("strips hop-by-hop and client-supplied routing headers and keeps the rest", async () => {
    const { seen } = await inspect(`http://${chatbot.defaultHost}/chat/`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "test-agent/1.0",
        connection: "keep-alive, x-private-hop",
        "x-private-hop": "secret",
        "keep-alive": "timeout=5",
        te: "trailers",
        "x-botgate-mode": "sandbox",
        "x-botgate-chatbot-id": "1",
        [FORWARDED_HEADERS.signature]: "forged",
        "x-forwarded-for": "198.51.100.1",
        "x-forwarded-host": "evil.example",
        forwarded: "for=198.51.100.1;host=evil.example",
        "x-real-ip": "198.51.100.1",
        "x-request-id": "chosen-by-client",
        "x-custom": "kept",
      },
      body: '{"messages":[]}',
    });
    for (const name of [
      "connection",
      "x-private-hop",
      "keep-alive",
      "te",
      "x-forwarded-for",
      "forwarded",
      "x-real-ip",
    ]) {
      expect(seen.headers[name], name).toBeUndefined();
    }
    expect(seen.headers["x-forwarded-host"]).toBeUndefined();
    expect(seen.headers["x-request-id"]).toBeUndefined();
    expect(seen.headers["x-botgate-chatbot-id"]).toBe(String(chatbot.id));
    expect(seen.verification).toMatchObject({
      ok: true,
      context: { mode: "default", clientIp: "", forwardedHost: chatbot.defaultHost },
    });
    expect(seen.headers["user-agent"]).toBe("test-agent/1.0");
    expect(seen.headers["x-custom"]).toBe("kept");
    expect(seen.body).toBe('{"messages":[]}');
  });

  it("strips the origin's hop-by-hop response headers", async () => {
    const { response } = await inspect(`http://${chatbot.defaultHost}/config/`);
    expect(response.headers.get("keep-alive")).toBeNull();
    expect(response.headers.get("connection")).toBeNull();
  });

  it("refuses oversized bodies before forwarding", async () => {
    for (const path of ["/chat/", "/config/"]) {
      const response = await edge(`http://${chatbot.defaultHost}${path}`, {
        method: "POST",
        headers: { "content-length": String(2 * 1024 * 1024) },
        body: "x".repeat(2 * 1024 * 1024),
      });
      await expectError(response, 413, "PAYLOAD_TOO_LARGE");
    }
  });

  it("refuses an oversized body sent without Content-Length (it is read whole to be signed)", async () => {
    const chunk = new Uint8Array(256 * 1024);
    let chunks = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (chunks++ < 8) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const response = await edge(`http://${chatbot.defaultHost}/chat/`, { method: "POST", body });
    await expectError(response, 413, "PAYLOAD_TOO_LARGE");
  });
});

describe("chat API through the edge", () => {
  it("answers SPEC §6's envelope, generates a session key and keeps the session", async () => {
    const chat = (body: unknown) =>
      edge(`http://${chatbot.defaultHost}/chat/`, {
        method: "POST",
        headers: { "content-type": "application/json", "cf-connecting-ip": "192.0.2.44" },
        body: JSON.stringify(body),
      });
    const first = await chat({ messages: [{ role: "user", content: "first question" }] });
    expect(first.status).toBe(200);
    const envelope = await first.json<ChatEnvelope>();
    expect(envelope).toMatchObject({
      data: { isBase64Encoded: false, statusCode: 200, headers: { "Content-Type": "application/json" } },
      api: "botgate/v1",
      thing: "Chatbot",
      metadata: { command: "chat" },
    });
    const body = envelope.data.body;
    expect(body.object).toBe("chat.completion");
    expect(body.choices[0]?.message).toEqual({
      role: "assistant",
      content: "Echo: first question",
      refusal: null,
    });
    expect(body.metadata.session_key).toMatch(/^[0-9a-f]{64}$/);
    expect(body.metadata).toMatchObject({
      mode: "default",
      chatbot_id: chatbot.id,
      request_id: first.headers.get("x-request-id"),
    });

    const sessionKey = body.metadata.session_key;
    const second = await chat({ session_key: sessionKey, messages: [{ role: "user", content: "second" }] });
    expect((await second.json<ChatEnvelope>()).data.body.metadata.session_key).toBe(sessionKey);

    const config = await edge(`http://${chatbot.defaultHost}/config/?session_key=${sessionKey}`);
    const history = (await config.json<ConfigEnvelope>()).data.history;
    expect(history.chat_history.map((m: { role: string; content: string }) => [m.role, m.content])).toEqual([
      ["user", "first question"],
      ["assistant", "Echo: first question"],
      ["user", "second"],
      ["assistant", "Echo: second"],
    ]);
    expect(history.chatbot_request_history).toHaveLength(2);
  });

  it("answers a malformed chat body with the origin's 400 in the same error shape", async () => {
    const response = await edge(`http://${chatbot.defaultHost}/chat/`, { method: "POST", body: "{not json" });
    await expectError(response, 400, "BAD_REQUEST");
  });
});

describe("OpenAI-compatible /v1/chat/completions", () => {
  const completions = (body: unknown, headers: Record<string, string> = {}) =>
    edge(`http://${chatbot.defaultHost}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  it("answers a chat.completion object", async () => {
    // `model` must be one the chatbot serves (GET /v1/models): the echo chatbot's is "echo".
    const response = await completions({ model: "echo", messages: [{ role: "user", content: "ping" }] });
    expect(response.status).toBe(200);
    const completion = await response.json<unknown>();
    expect(completion).toMatchObject({
      object: "chat.completion",
      choices: [{ message: { content: "Echo: ping" } }],
    });
  });

  it("streams server-sent events through the edge as they are produced", async () => {
    const words = Array.from({ length: 20 }, (_, i) => `w${i}`).join(" ");
    const started = Date.now();
    const response = await completions({ stream: true, messages: [{ role: "user", content: words }] });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    const firstAt = Date.now() - started;
    let text = first.value ?? "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    const lastAt = Date.now() - started;
    // The echo provider paces ~15 ms per word: a buffering edge would deliver all at the end.
    expect(first.value).not.toContain("[DONE]");
    expect(lastAt - firstAt).toBeGreaterThan(150);
    const events = text.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const content = events
      .slice(0, -1)
      .map(
        (event) => JSON.parse(event.replace(/^data: /, "")) as { choices: { delta: { content?: string } }[] },
      )
      .map((chunk) => chunk.choices[0]?.delta.content ?? "")
      .join("");
    expect(content).toBe(`Echo: ${words}`);
  });
});

describe("API keys", () => {
  it("are required once the chatbot has one: none → 401 at the edge, wrong → 403, its own → 200", async () => {
    const keyed = await createChatbot(account);
    const other = await createChatbot(account);
    const { key } = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: keyed.id,
      name: "web",
    });
    const { key: otherKey } = await trpc<{ key: string }>(account.token, "apiKey.create", {
      chatbotId: other.id,
      name: "x",
    });
    const url = `http://${keyed.defaultHost}/config/`;
    // The write-through already replaced the record in Redis; this isolate may still hold the old one.
    await new Promise((resolve) => setTimeout(resolve, 1_100));

    const missing = await expectError(await edge(url), 401, "UNAUTHORIZED");
    expect(missing.details).toEqual({ required: "api_key" });
    await expectError(await edge(url, { headers: { "x-api-key": "bgk_wrong" } }), 403, "FORBIDDEN");
    await expectError(await edge(url, { headers: { "x-api-key": otherKey } }), 403, "FORBIDDEN");
    // An admin token is not an API key on public hosts.
    await expectError(
      await edge(url, { headers: { authorization: `Bearer ${account.token}` } }),
      403,
      "FORBIDDEN",
    );
    expect((await edge(url, { headers: { "x-api-key": key } })).status).toBe(200);
    expect((await edge(url, { headers: { authorization: `Bearer ${key}` } })).status).toBe(200);
  });
});
