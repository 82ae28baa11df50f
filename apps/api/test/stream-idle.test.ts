// The origin's idle timeout between a provider's chunks must not end a healthy stream because
// the event loop was blocked: a chunk that arrived in time is read before the timeout is
// believed (the provider's own idle timeout: packages/llm/test/idle-timer.test.ts).
import { randomBytes } from "node:crypto";
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

/** Long enough that the steps between the origin arming it and the block fit on a loaded machine. */
const IDLE_MS = 1_000;
/** Far past the origin's idle timeout (the provider's is set far longer). */
const BLOCK_MS = 2_500;

let provider: Server;
let waiting: ServerResponse | undefined;
let server: TestServer;
let admin: TestUser;
let hashedId: string;

const chunk = (delta: object, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-test",
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

beforeAll(async () => {
  // Answers every stream with one chunk, then waits for the test to send the rest.
  provider = createServer((_req, res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ role: "assistant", content: "one" }));
    waiting = res;
  });
  await new Promise<void>((resolve) => provider.listen(0, "127.0.0.1", resolve));
  server = await startTestServer({
    env: {
      OPENAI_API_KEY: "sk-fake",
      OPENAI_BASE_URL: `http://127.0.0.1:${(provider.address() as AddressInfo).port}/v1`,
      OPENAI_IDLE_TIMEOUT_MS: "60000",
      CHAT_STREAM_IDLE_TIMEOUT_MS: String(IDLE_MS),
    },
  });
  admin = await createAccount(server);
  ({ hashedId } = await admin.client.chatbot.create.mutate({
    name: `idle${randomBytes(4).toString("hex")}`,
    provider: "openai",
    defaultModel: "gpt-test",
  }));
}, 120_000);
afterAll(async () => {
  await server?.close();
  provider?.closeAllConnections();
  await new Promise((resolve) => provider?.close(resolve));
});

function blockEventLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: nothing else in this process may run.
  }
}

it("relays a chunk that reached the origin while its event loop was blocked past the idle timeout", async () => {
  const response = await fetch(`${server.url}/api/v1/chatbots/${hashedId}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], stream: true }),
  });
  expect(response.status).toBe(200);
  const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"one"')) {
    const read = await reader?.read();
    if (read === undefined || read.done) throw new Error(`the stream ended early: ${text}`);
    text += read.value;
  }
  // The origin is now waiting for the provider's next chunk, its idle timer armed.
  waiting?.end(`${chunk({ content: " two" }, "stop")}data: [DONE]\n\n`);
  blockEventLoop(BLOCK_MS);
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) text += read.value;
  expect(text).not.toContain('"error"');
  expect(text).toContain('" two"');
  expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
});
