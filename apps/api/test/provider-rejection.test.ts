// A provider's rejection (400) as the caller reads it, through /v1/chat/completions (OpenAI's
// error object) and /chat/ (the platform's error): our words and the provider's identifiers
// (code, param, type), never the provider's text, which can quote the request: the owner's
// confidential system prompt, a masked or encoded copy of the key (packages/llm/src/upstream-errors.ts).
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { backgroundSettled } from "../src/origin/background.ts";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

const KEY = "gsk_LiveSecret1234567890abcdefXYZ";
const MASKED_KEY = `${KEY.slice(0, 12)}${"*".repeat(10)}${KEY.slice(-6)}`;
const SYSTEM_PROMPT = "You are Mira, the concierge of ACME. Never reveal the discount code ORCHID-77.";

/** Builds the provider's error object from the request it received (its system message, its key). */
type Rejection = (request: { system: string; authorization: string }) => Record<string, unknown>;

/** A provider that echoes the request back, as some do in a 400. */
const echoing: Rejection = ({ system, authorization }) => ({
  message: `Invalid messages[0].content: ${JSON.stringify(`System: ${system}`)}; key ${MASKED_KEY} (${btoa(authorization.replace(/^Bearer /, ""))})`,
  type: "invalid_request_error",
  param: "messages",
  code: "context_length_exceeded",
});

/** A provider whose machine-readable fields are free text too. */
const hostile: Rejection = ({ system }) => ({
  message: "rejected",
  type: "invalid request\nerror",
  param: `messages" ${system}`,
  code: `${"c".repeat(65)}`,
});

let rejection: Rejection = echoing;
/** What the provider last quoted: proof the rejection did carry the prompt and the key. */
let lastQuoted = "";
let provider: Server;
let server: TestServer;
let admin: TestUser;
let hashedId: string;

beforeAll(async () => {
  provider = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const { messages } = JSON.parse(body) as { messages: { role: string; content: string }[] };
      const system = messages.find((m) => m.role === "system")?.content ?? "";
      const error = rejection({ system, authorization: req.headers.authorization ?? "" });
      lastQuoted = JSON.stringify(error);
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error }));
    });
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  server = await startTestServer({
    env: {
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`,
    },
  });
  admin = await createAccount(server);
  ({ hashedId } = await admin.client.chatbot.create.mutate({
    name: `reject${randomBytes(4).toString("hex")}`,
    provider: "openai",
    defaultModel: "gpt-test",
    defaultSystemRole: SYSTEM_PROMPT,
  }));
}, 120_000);
afterAll(async () => {
  await server?.close();
  provider?.closeAllConnections();
  await new Promise((resolve) => provider?.close(resolve));
});

/** The same chat call through /v1 and /chat/, streamed and not: each answer's status and body. */
async function answers(): Promise<{ surface: string; status: number; body: string; requestId: string }[]> {
  const calls = [
    { surface: "v1", path: "v1/chat/completions", stream: false },
    { surface: "v1 stream", path: "v1/chat/completions", stream: true },
    { surface: "chat", path: "chat/", stream: false },
    { surface: "chat stream", path: "chat/", stream: true },
  ];
  const out = [];
  for (const call of calls) {
    const response = await fetch(`${server.url}/api/v1/chatbots/${hashedId}/${call.path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: call.stream }),
    });
    out.push({
      surface: call.surface,
      status: response.status,
      body: await response.text(),
      requestId: response.headers.get("x-request-id") ?? "",
    });
  }
  return out;
}

/** Words of the prompt, the key and the provider's text that no caller may read. */
const NEVER = [
  "Mira",
  "ORCHID",
  "concierge",
  "System:",
  "Invalid messages",
  KEY,
  KEY.slice(0, 12),
  KEY.slice(-6),
  btoa(KEY).slice(0, 12),
];

it("a rejection that quotes the system prompt and a masked key: the caller reads the provider's code and param, neither quote", async () => {
  rejection = echoing;
  const answered = await answers();
  expect(lastQuoted).toContain(SYSTEM_PROMPT);
  expect(lastQuoted).toContain(MASKED_KEY);
  expect(lastQuoted).toContain(btoa(KEY));
  for (const { surface, status, body } of answered) {
    expect(status, surface).toBe(400);
    const error = (JSON.parse(body) as { error: { message: string; code: string } }).error;
    expect(error.message, surface).toBe(
      "The provider rejected the request (code context_length_exceeded, param messages, type invalid_request_error).",
    );
    expect(error.code, surface).toBe(
      surface.startsWith("v1") ? "provider_rejected_request" : "PROVIDER_REJECTED_REQUEST",
    );
    for (const word of NEVER) expect(body, `${surface}: ${word}`).not.toContain(word);
  }
});

it("a rejection whose code, param and type are not identifiers relays none of them", async () => {
  rejection = hostile;
  for (const { surface, status, body } of await answers()) {
    expect(status, surface).toBe(400);
    const error = (JSON.parse(body) as { error: { message: string } }).error;
    expect(error.message, surface).toBe("The provider rejected the request.");
    for (const word of [...NEVER, "ccccccccc", "invalid request", "messages"]) {
      expect(body, `${surface}: ${word}`).not.toContain(word);
    }
  }
});

it("keeps the provider's words, the key cut out, in the owner's request log", async () => {
  rejection = echoing;
  const answered = await answers();
  await backgroundSettled();
  for (const { surface, requestId } of answered) {
    const rows = await server.runtime.db.chatBotRequests.findMany({
      where: { request: { path: ["request_id"], equals: requestId } },
    });
    const logged = rows[0]?.request as { error?: string; provider_message?: string } | undefined;
    expect(logged?.error, surface).toBe("PROVIDER_REJECTED_REQUEST");
    expect(logged?.provider_message, surface).toContain(`System: ${SYSTEM_PROMPT}`);
    expect(logged?.provider_message, surface).not.toContain(KEY);
    expect(logged?.provider_message, surface).not.toContain(btoa(KEY));
    // Nor the masked copy's eight characters or more of it.
    expect(logged?.provider_message, surface).not.toContain(KEY.slice(0, 8));
  }
});
