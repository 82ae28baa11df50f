// A local OpenAI-compatible HTTP server for tests and benchmarks: /v1/chat/completions
// (JSON and SSE with usage) and /v1/models. Each request picks a behaviour, by the
// `x-fake-behaviour` header or else by its model name, e.g. model "status:429":
//   normal (any other model)   answers "Echo: <last user message>", or tool calls (setResponder)
//   slow-first-byte:<ms>       waits before the response headers
//   slow-chunks:<ms>           waits between chunks
//   stall                      sends the first chunks, then nothing, connection kept open
//   cut                        sends the first chunks, then destroys the socket
//   error-chunk                sends the first chunks, then an SSE `{"error":{...}}` event
//   status:<N>                 answers status N with an OpenAI error object (retry-after on 429/503)
//   status:<N>:bare            the same without retry-after headers
//   status:<N>:echo            the same, its message quoting the request's Authorization header
//   garbage                    a 200 whose body (or an SSE event) is not JSON
//   wrong-shape                a 200 of JSON that is no completion (or chunk)
//   no-done                    sends the first chunks, then ends the body cleanly: no finish, no [DONE]
//   endless                    never stops talking: a JSON body (or a stream) whose content never ends
//   deep                       a completion (or chunk) with an extra field nested 100 000 levels deep
//   bare-envelope              a completion with id, object, created, model, index and role null,
//                              and usage that is no token counts (negative, fractional, text)
//   no-stream                  ignores `stream: true`: answers the whole completion as JSON
// Requests are recorded (body and headers) so tests can assert what a provider sent.
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { type HttpBindings, serve } from "@hono/node-server";
import { Hono } from "hono";

export interface RecordedRequest {
  path: string;
  headers: Record<string, string>;
  body: FakeRequestBody;
}

export interface FakeRequestBody {
  model?: string;
  messages?: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
  temperature?: number;
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { type: string; function: { name: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  [key: string]: unknown;
}

/** What the model "says" to one request: text, or calls of the request's tools. */
export type FakeReply = { content: string } | { toolCalls: { name: string; arguments: string }[] };
export type FakeResponder = (body: FakeRequestBody) => FakeReply;

export interface FakeOpenAiServer {
  /** e.g. http://127.0.0.1:PORT/v1, the client's baseURL. */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Models /v1/models lists. */
  models: string[];
  /** Pause between streamed words in the normal behaviour (default 1 ms). */
  chunkPauseMs: number;
  setResponder(responder: FakeResponder | null): void;
  close(): Promise<void>;
}

const defaultResponder: FakeResponder = (body) => {
  const lastUser = body.messages?.findLast((m) => m.role === "user");
  const text = typeof lastUser?.content === "string" ? lastUser.content : "";
  return { content: `Echo: ${text}`.trim() };
};

type Behaviour =
  | { kind: "normal" }
  | { kind: "slow-first-byte"; ms: number }
  | { kind: "slow-chunks"; ms: number }
  | {
      kind:
        | "stall"
        | "cut"
        | "error-chunk"
        | "garbage"
        | "wrong-shape"
        | "wrong-types"
        | "redirect"
        | "no-done"
        | "endless"
        | "deep"
        | "bare-envelope"
        | "no-stream";
    }
  | { kind: "status"; status: number; retryAfter: boolean; echo: boolean };

export function parseBehaviour(spec: string | undefined): Behaviour {
  const [name, arg, flag] = (spec ?? "").split(":");
  const n = Number(arg);
  switch (name) {
    case "slow-first-byte":
    case "slow-chunks":
      return { kind: name, ms: Number.isFinite(n) ? n : 1_000 };
    case "stall":
    case "cut":
    case "error-chunk":
    case "garbage":
    case "wrong-shape":
    case "wrong-types":
    case "redirect":
    case "no-done":
    case "endless":
    case "deep":
    case "bare-envelope":
    case "no-stream":
      return { kind: name };
    case "status":
      return Number.isInteger(n) && n >= 400 && n <= 599
        ? { kind: "status", status: n, retryAfter: flag !== "bare", echo: flag === "echo" }
        : { kind: "normal" };
    default:
      return { kind: "normal" };
  }
}

/** JSON text of arrays nested `levels` deep (too deep to build as a value and stringify). */
const deepJson = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const countTokens = (text: string) => text.split(/\s+/).filter(Boolean).length;

function errorResponse(status: number, retryAfter: boolean, quoted?: string): Response {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (retryAfter && (status === 429 || status === 503)) {
    headers["retry-after"] = "7";
    headers["retry-after-ms"] = "7000";
  }
  const body = {
    error: {
      message: `fake upstream status ${status}${quoted === undefined ? "" : `: ${quoted}`}`,
      type: status >= 500 ? "server_error" : "invalid_request_error",
      param: null,
      code: `fake_${status}`,
    },
  };
  return new Response(JSON.stringify(body), { status, headers });
}

export async function startFakeOpenAi(options: { port?: number } = {}): Promise<FakeOpenAiServer> {
  const requests: RecordedRequest[] = [];
  let responder: FakeResponder = defaultResponder;
  const app = new Hono<{ Bindings: HttpBindings }>();
  const state = { models: ["fake-model", "fake-model-mini"], chunkPauseMs: 1 };

  app.get("/v1/models", (c) =>
    c.json({
      object: "list",
      data: state.models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "fake" })),
    }),
  );

  app.post("/v1/chat/completions", async (c) => {
    const body = (await c.req.json().catch(() => ({}))) as FakeRequestBody;
    requests.push({ path: c.req.path, headers: Object.fromEntries(c.req.raw.headers), body });
    const behaviour = parseBehaviour(c.req.header("x-fake-behaviour") ?? body.model);
    if (behaviour.kind === "slow-first-byte") await sleep(behaviour.ms);
    if (behaviour.kind === "status") {
      const quoted = behaviour.echo
        ? `invalid header Authorization: ${c.req.header("authorization")}`
        : undefined;
      return errorResponse(behaviour.status, behaviour.retryAfter, quoted);
    }
    // To this same endpoint: a client that followed it would show up as a second request.
    if (behaviour.kind === "redirect") return c.redirect(c.req.url, 307);
    const model = body.model ?? "fake-model";
    const reply = responder(body);
    const prompt = (body.messages ?? []).reduce(
      (sum, m) => sum + (typeof m.content === "string" ? countTokens(m.content) : 0),
      0,
    );
    const text = "content" in reply ? reply.content : "";
    const usage = { prompt_tokens: prompt, completion_tokens: countTokens(text), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-fake-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const toolCalls =
      "toolCalls" in reply
        ? reply.toolCalls.map((call, i) => ({
            id: `call_fake_${requests.length}_${i}`,
            type: "function" as const,
            function: { name: call.name, arguments: call.arguments },
          }))
        : undefined;
    const finishReason = toolCalls === undefined ? "stop" : "tool_calls";

    if (!body.stream && behaviour.kind === "garbage") {
      return new Response("{ this is not json", { headers: { "content-type": "application/json" } });
    }
    if (!body.stream && behaviour.kind === "wrong-shape") return c.json({ hello: "world" });
    if (!body.stream && behaviour.kind === "wrong-types") {
      // The right shape with a number where the text belongs.
      return c.json({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message: { role: "assistant", content: 42 }, finish_reason: "stop" }],
      });
    }
    if (!body.stream && behaviour.kind === "deep") {
      const message = `{"role":"assistant","content":"x","extra":${deepJson(100_000)}}`;
      return new Response(
        `{"id":"${id}","object":"chat.completion","created":${created},"model":"${model}","choices":[{"index":0,"message":${message},"finish_reason":"stop"}]}`,
        { headers: { "content-type": "application/json" } },
      );
    }
    if (!body.stream && behaviour.kind === "bare-envelope") {
      return c.json({
        id: null,
        object: null,
        created: null,
        model: null,
        choices: [{ index: null, message: { role: null, content: text }, finish_reason: "stop" }],
        usage: { prompt_tokens: -5, completion_tokens: 1.5, total_tokens: "NaN" },
      });
    }
    if (!body.stream && behaviour.kind === "endless") {
      const opening = `{"id":"${id}","object":"chat.completion","created":${created},"model":"${model}","choices":[{"index":0,"message":{"role":"assistant","content":"`;
      return new Response(
        endlessBody(opening, () => "all work and no play ".repeat(200)),
        {
          headers: { "content-type": "application/json" },
        },
      );
    }
    if (!body.stream || behaviour.kind === "no-stream") {
      return c.json({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: toolCalls === undefined ? text : null,
              refusal: null,
              ...(toolCalls === undefined ? {} : { tool_calls: toolCalls }),
            },
            finish_reason: finishReason,
            logprobs: null,
          },
        ],
        usage,
      });
    }

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = (choices: unknown[], chunkUsage: unknown = null) =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, choices, ...(includeUsage ? { usage: chunkUsage } : {}) })}\n\n`;
    const delta = (d: Record<string, unknown>, finish: string | null = null) =>
      chunk([{ index: 0, delta: d, finish_reason: finish, logprobs: null }]);
    const pieces: string[] = [delta({ role: "assistant", content: "" })];
    if (toolCalls === undefined) {
      for (const word of text.split(/(?<=\s)/)) pieces.push(delta({ content: word }));
    } else {
      toolCalls.forEach((call, index) => {
        pieces.push(delta({ tool_calls: [{ index, ...call }] }));
      });
    }
    pieces.push(delta({}, finishReason));
    if (includeUsage) pieces.push(chunk([], usage));
    pieces.push("data: [DONE]\n\n");

    if (behaviour.kind === "endless") {
      const opening = pieces.slice(0, 2).join("");
      return new Response(
        endlessBody(opening, () => delta({ content: "all work and no play " })),
        {
          headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
        },
      );
    }

    const socket = c.env.incoming.socket;
    const encoder = new TextEncoder();
    const pause = behaviour.kind === "slow-chunks" ? behaviour.ms : state.chunkPauseMs;
    // Misbehaviours strike after the first two chunks: the first byte has gone out.
    const strikeAt = 2;
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        for (const [i, piece] of pieces.entries()) {
          if (i === strikeAt) {
            if (behaviour.kind === "stall") return; // never closes; close() ends the socket
            if (behaviour.kind === "cut") {
              socket.destroy();
              return;
            }
            if (behaviour.kind === "no-done") {
              controller.close();
              return;
            }
            if (
              behaviour.kind === "garbage" ||
              behaviour.kind === "wrong-shape" ||
              behaviour.kind === "wrong-types"
            ) {
              const data =
                behaviour.kind === "garbage"
                  ? "{ this is not json"
                  : behaviour.kind === "wrong-shape"
                    ? JSON.stringify({ hello: 1 })
                    : JSON.stringify({
                        id,
                        object: "chat.completion.chunk",
                        created,
                        model,
                        choices: [
                          { index: 0, delta: { content: { text: "not a string" } }, finish_reason: null },
                        ],
                      });
              controller.enqueue(encoder.encode(`data: ${data}\n\n`));
              controller.close();
              return;
            }
            if (behaviour.kind === "deep") {
              const data = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":"${model}","choices":[{"index":0,"delta":{"content":"x","extra":${deepJson(100_000)}},"finish_reason":null}]}`;
              controller.enqueue(encoder.encode(`data: ${data}\n\n`));
              controller.close();
              return;
            }
            if (behaviour.kind === "error-chunk") {
              controller.enqueue(
                encoder.encode(
                  `data: ${JSON.stringify({ error: { message: "fake upstream failed mid-stream", type: "server_error", param: null, code: "fake_mid_stream" } })}\n\n`,
                ),
              );
              controller.close();
              return;
            }
          }
          if (i > 0 && pause > 0) await sleep(pause);
          try {
            controller.enqueue(encoder.encode(piece));
          } catch {
            return; // the client left
          }
        }
        controller.close();
      },
    });
    return new Response(stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port: options.port ?? 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get models() {
      return state.models;
    },
    set models(value) {
      state.models = value;
    },
    get chunkPauseMs() {
      return state.chunkPauseMs;
    },
    set chunkPauseMs(value) {
      state.chunkPauseMs = value;
    },
    setResponder(next) {
      responder = next ?? defaultResponder;
    },
    close: () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `opening`, then `more()` for as long as the client reads (pulled: it stops when the client goes). */
function endlessBody(opening: string, more: () => string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let sent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode(sent ? more() : opening));
      sent = true;
    },
  });
}

/** A base URL where nothing listens: connections are refused. */
export async function refusingBaseUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
