// An idle timeout must not end a healthy stream because the event loop was blocked: bytes that
// arrived in time are read before the timeout is believed. Each scenario starts in a
// setImmediate callback, so the phases after it are known: due timers run before the sockets
// are read in the next poll phase.
import { createServer as createHttpServer, type ServerResponse } from "node:http";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatCompletionChunk, OpenAiCompatibleProvider, setIdleTimeout } from "../src/index.ts";

const IDLE_MS = 20;
/** Far past the idle timeout: it is due when the block ends. */
const BLOCK_MS = 150;

function blockEventLoop(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: nothing else in this process may run.
  }
}

/** Runs `scenario` from the check phase of the event loop. */
const fromCheckPhase = (scenario: () => void) =>
  new Promise<void>((resolve) =>
    setImmediate(() => {
      scenario();
      resolve();
    }),
  );

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

async function socketPair(): Promise<{ reader: Socket; writer: Socket }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  const reader = connect((server.address() as AddressInfo).port, "127.0.0.1");
  const writer = await accepted;
  closers.push(() => {
    reader.destroy();
    writer.destroy();
    server.close();
  });
  return { reader, writer };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("setIdleTimeout", () => {
  it("is beaten by data that arrived while the event loop was blocked past the timeout", async () => {
    const { reader, writer } = await socketPair();
    const events: string[] = [];
    await fromCheckPhase(() => {
      const cancel = setIdleTimeout(() => events.push("idle"), IDLE_MS);
      reader.once("data", () => {
        events.push("data");
        cancel();
      });
      writer.write("chunk");
      blockEventLoop(BLOCK_MS);
    });
    await settle();
    expect(events).toEqual(["data"]);
  });

  it("(the same with a plain setTimeout: the due timer runs first, which is the bug it avoids)", async () => {
    const { reader, writer } = await socketPair();
    const events: string[] = [];
    await fromCheckPhase(() => {
      const timer = setTimeout(() => events.push("idle"), IDLE_MS);
      reader.once("data", () => {
        events.push("data");
        clearTimeout(timer);
      });
      writer.write("chunk");
      blockEventLoop(BLOCK_MS);
    });
    await settle();
    expect(events).toEqual(["idle", "data"]);
  });

  it("fires when nothing arrives, and not once cancelled", async () => {
    const fired: string[] = [];
    setIdleTimeout(() => fired.push("idle"), 5);
    const cancel = setIdleTimeout(() => fired.push("cancelled"), 5);
    cancel();
    await settle();
    expect(fired).toEqual(["idle"]);
  });
});

describe("OpenAiCompatibleProvider's idle timeout", () => {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta, finish_reason: finish }],
    })}\n\n`;

  it("does not end a stream whose next chunk arrived while the event loop was blocked", async () => {
    let response: ServerResponse | undefined;
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write(chunk({ role: "assistant", content: "one" }));
      response = res;
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => server.close());
    closers.push(() => server.closeAllConnections());
    const provider = new OpenAiCompatibleProvider({
      name: "blocked",
      baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      apiKey: "sk-test",
      idleTimeoutMs: IDLE_MS,
    });
    const stream = provider
      .stream({ model: "m", messages: [{ role: "user", content: "hi" }], temperature: null, maxTokens: null })
      [Symbol.asyncIterator]();
    expect((await stream.next()).value?.choices[0]?.delta.content).toBe("one");

    let next: Promise<IteratorResult<ChatCompletionChunk>> | undefined;
    await fromCheckPhase(() => {
      // Resumes the provider's loop, which arms its idle timer and waits for the body.
      next = stream.next();
      response?.end(`${chunk({ content: " two" }, "stop")}data: [DONE]\n\n`);
      blockEventLoop(BLOCK_MS);
    });
    expect((await next)?.value?.choices[0]?.delta.content).toBe(" two");
    expect((await stream.next()).done).toBe(true);
  });
});
