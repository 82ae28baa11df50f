// What Node's HTTP server refuses before the app sees it (headers past 16 KiB, a request that
// is not HTTP) is answered as the platform's JSON error with a request id, in OpenAI's shape
// under a chatbot's /v1 path, over raw TCP as a hostile client would send it.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

interface RawAnswer {
  status: number;
  headers: Map<string, string>;
  body: unknown;
}

/** Writes `request` as is on a fresh connection and reads until the server closes it. */
function raw(request: string): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", body = ""] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = new Map(
        lines.map((line) => [
          line.slice(0, line.indexOf(":")).toLowerCase(),
          line.slice(line.indexOf(":") + 1).trim(),
        ]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: JSON.parse(body) });
    });
    socket.end(request);
  });
}

const withHeaders = (requestLine: string, headers: string[]) =>
  `${requestLine}\r\n${["Host: 127.0.0.1", ...headers, "Content-Length: 0"].join("\r\n")}\r\n\r\n`;

const huge = [`Authorization: Bearer ${"a".repeat(20_000)}`];

describe("requests Node refuses before the app", () => {
  it("headers past 16 KiB on a /v1 path: 431 as OpenAI's error object", async () => {
    const answer = await raw(withHeaders("POST /api/v1/chatbots/rAbc/v1/chat/completions HTTP/1.1", huge));
    expect(answer.status).toBe(431);
    expect(answer.headers.get("content-type")).toBe("application/json");
    expect(answer.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(answer.body).toEqual({
      error: {
        message: "The request headers are too large (at most 16 KiB).",
        type: "invalid_request_error",
        param: null,
        code: "headers_too_large",
      },
    });
  });

  it("headers past 16 KiB elsewhere: 431 in the platform's shape, with the request id", async () => {
    for (const path of ["/api/v1/chatbots/rAbc/chat/", "/trpc/chatbot.list"]) {
      const answer = await raw(withHeaders(`POST ${path} HTTP/1.1`, huge));
      expect(answer.status).toBe(431);
      const id = answer.headers.get("x-request-id");
      expect(answer.body).toEqual({
        error: {
          code: "HEADERS_TOO_LARGE",
          message: "The request headers are too large (at most 16 KiB).",
          requestId: id,
        },
      });
    }
  });

  it("a request that is not HTTP: 400 BAD_REQUEST in the platform's shape", async () => {
    for (const garbage of [
      "HELLO\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
      "\u0000\u0001\u0002\r\n\r\n",
    ]) {
      const answer = await raw(garbage);
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        error: { code: "BAD_REQUEST", message: "The request is not valid HTTP." },
      });
    }
  });

  it("still serves the next request after refusing one", async () => {
    await raw(withHeaders("GET /health HTTP/1.1", huge));
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
