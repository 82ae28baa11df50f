// boundedFetch: no answer body longer than the bound reaches the caller, whatever the server
// declares, and a body whose declared length is within the bound passes through uncounted; no
// event-stream line longer than its bound either; and the request's signal ends the body.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedFetch } from "../src/bounded-response.ts";

const LIMIT = 64 * 1024;
class TooLarge extends Error {}
const LINE_LIMIT = 4 * 1024;
class LineTooLong extends Error {}
const fetchBounded = boundedFetch(fetch, {
  maxBytes: LIMIT,
  tooLarge: () => new TooLarge("too large"),
  maxLineBytes: LINE_LIMIT,
  lineTooLong: () => new LineTooLong("line too long"),
});

/** Written in small pieces, as a provider streams. */
async function writeInPieces(res: import("node:http").ServerResponse, body: string, size = 512) {
  for (let i = 0; i < body.length; i += size) {
    res.write(body.slice(i, i + size));
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

let server: Server;
let base: string;

beforeAll(async () => {
  const big = Buffer.alloc(LIMIT * 4, "a");
  const bomb = gzipSync(big);
  server = createServer((req, res) => {
    switch (req.url) {
      case "/small":
        res.writeHead(200, { "content-type": "application/json", "content-length": "11" });
        res.end('{"ok":true}');
        return;
      case "/declared-big":
        res.writeHead(200, { "content-length": String(big.length) });
        res.end(big);
        return;
      case "/chunked-big":
        res.writeHead(200, { "content-type": "application/octet-stream" });
        res.end(big);
        return;
      case "/gzip-bomb":
        // A few hundred bytes on the wire, four times the bound once inflated.
        res.writeHead(200, { "content-encoding": "gzip", "content-length": String(bomb.length) });
        res.end(bomb);
        return;
      case "/event-long-line":
        res.writeHead(200, { "content-type": "text/event-stream" });
        void writeInPieces(res, `data: ${"x".repeat(LINE_LIMIT * 2)}`);
        return;
      case "/event-declared-long-line": {
        // A declared length within the total bound does not spare the line count.
        const body = `data: ${"x".repeat(LINE_LIMIT * 2)}`;
        res.writeHead(200, { "content-type": "text/event-stream", "content-length": String(body.length) });
        void writeInPieces(res, body);
        return;
      }
      case "/event-many-lines":
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
        void writeInPieces(res, `data: ${"y".repeat(LINE_LIMIT - 100)}\r\n\r\n`.repeat(8), 700);
        return;
      case "/gzip-that-is-not":
        // Not gzip at all, and delimited by the connection's end: Node 20's undici reader of
        // such a body stays pending for good, its own abort notwithstanding.
        req.socket.end(
          "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-encoding: gzip\r\nconnection: close\r\n\r\ndata: plain text\n\n",
        );
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("boundedFetch", () => {
  it("passes a body whose declared length is within the bound", async () => {
    const response = await fetchBounded(`${base}/small`);
    expect(await response.json()).toEqual({ ok: true });
  });

  it.each(["/declared-big", "/chunked-big", "/gzip-bomb"])("cuts %s off at the bound", async (path) => {
    const response = await fetchBounded(`${base}${path}`);
    await expect(response.arrayBuffer()).rejects.toBeInstanceOf(TooLarge);
  });

  it.each(["/event-long-line", "/event-declared-long-line"])(
    "cuts an event stream off at a line longer than the line bound (%s)",
    async (path) => {
      const response = await fetchBounded(`${base}${path}`);
      await expect(response.arrayBuffer()).rejects.toBeInstanceOf(LineTooLong);
    },
  );

  it("passes an event stream of many lines, each within the line bound, longer than it together", async () => {
    const response = await fetchBounded(`${base}/event-many-lines`);
    const text = await response.text();
    expect(text.length).toBe((LINE_LIMIT - 100 + 10) * 8);
    expect(text.length).toBeGreaterThan(LINE_LIMIT * 4);
  });

  it("ends the body when the request's signal aborts, even one the runtime never settles", async () => {
    const controller = new AbortController();
    const response = await fetchBounded(`${base}/gzip-that-is-not`, { signal: controller.signal });
    const reading = response.arrayBuffer();
    setTimeout(() => controller.abort(new Error("given up")), 100);
    // Node 20's reader never settles, so our abort ends it; Node 24's fails the body by itself.
    await expect(reading).rejects.toThrow(/^(given up|terminated)$/);
  });
});
