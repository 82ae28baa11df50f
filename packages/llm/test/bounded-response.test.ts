// boundedFetch: no answer body longer than the bound reaches the caller, whatever the server
// declares, and a body whose declared length is within the bound passes through uncounted; a
// streamed call's successful body arrives as whole events, none longer than their bound,
// whatever its content type but JSON (a provider ignoring `stream: true`: read whole, within
// the body bound); and the request's signal ends the body.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedFetch } from "../src/bounded-response.ts";

const LIMIT = 64 * 1024;
class TooLarge extends Error {}
const EVENT_LIMIT = 4 * 1024;
class EventTooLong extends Error {}
const fetchBounded = boundedFetch(fetch, { maxBytes: LIMIT, tooLarge: () => new TooLarge("too large") });
const fetchStreamed = boundedFetch(fetch, {
  maxBytes: LIMIT,
  tooLarge: () => new TooLarge("too large"),
  events: { maxBytes: EVENT_LIMIT, tooLong: () => new EventTooLong("event too long") },
});

/** The chunks a body arrives in, decoded. */
async function chunksOf(response: Response): Promise<string[]> {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) chunks.push(decoder.decode(chunk));
  return chunks;
}

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
        void writeInPieces(res, `data: ${"x".repeat(EVENT_LIMIT * 2)}`);
        return;
      case "/event-declared-long-line": {
        // A declared length within the total bound does not spare the event count.
        const body = `data: ${"x".repeat(EVENT_LIMIT * 2)}`;
        res.writeHead(200, { "content-type": "text/event-stream", "content-length": String(body.length) });
        void writeInPieces(res, body);
        return;
      }
      case "/event-short-lines-never-ending":
        // No line is long, but the event never ends.
        res.writeHead(200, { "content-type": "text/event-stream" });
        void writeInPieces(res, ": c\n".repeat(EVENT_LIMIT));
        return;
      case "/octet-stream-long-line":
        // A streamed call's body is decoded as events whatever its declared type.
        res.writeHead(200, { "content-type": "application/octet-stream" });
        void writeInPieces(res, `data: ${"x".repeat(EVENT_LIMIT * 2)}`);
        return;
      case "/event-many":
        res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8" });
        void writeInPieces(res, `data: ${"y".repeat(EVENT_LIMIT - 100)}\r\n\r\n`.repeat(8), 700);
        return;
      case "/events-in-odd-pieces":
        // Every kind of event end, split across pieces of 3 bytes.
        res.writeHead(200, { "content-type": "text/event-stream" });
        void writeInPieces(res, "data: 1\n\ndata: 2\r\rdata: 3\r\n\r\nevent: x\ndata: 4\n\ndata: 5", 3);
        return;
      case "/events-after-bom":
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end("\uFEFFdata: 1\n\ndata: 2\n\n");
        return;
      case "/events-nobody-reads":
        res.writeHead(200, { "content-type": "text/event-stream" });
        void writeInPieces(
          res,
          `${"\n\n".repeat(500)}: ping\n\nid: 7\nretry: 10\n\n\r\r: a\n: b\n\ndata: kept\n\n`,
        );
        return;
      case "/error-long":
        // An error body is read whole by the client, not as events: no event bound applies.
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: "m".repeat(EVENT_LIMIT * 2) } }));
        return;
      case "/json-answer-long":
        // A provider ignoring `stream: true`: one JSON completion, longer than an event may be.
        res.writeHead(200, { "content-type": "application/json; charset=utf-8" });
        void writeInPieces(res, JSON.stringify({ content: "j".repeat(EVENT_LIMIT * 2) }));
        return;
      case "/json-answer-endless":
        res.writeHead(200, { "content-type": "application/json" });
        void writeInPieces(res, `{"content":"${"j".repeat(LIMIT * 2)}"}`);
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

  it.each([
    "/event-long-line",
    "/event-declared-long-line",
    "/event-short-lines-never-ending",
    "/octet-stream-long-line",
  ])("cuts a streamed body off at an event longer than the event bound (%s)", async (path) => {
    const response = await fetchStreamed(`${base}${path}`);
    await expect(response.arrayBuffer()).rejects.toBeInstanceOf(EventTooLong);
  });

  it("leaves a body uncut by events when the call is not a stream", async () => {
    const response = await fetchBounded(`${base}/event-long-line`);
    expect((await response.text()).length).toBe(EVENT_LIMIT * 2 + 6);
  });

  it("passes many events, each within the event bound, longer than it together, one per chunk", async () => {
    const chunks = await chunksOf(await fetchStreamed(`${base}/event-many`));
    expect(chunks).toHaveLength(8);
    expect(new Set(chunks)).toEqual(new Set([`data: ${"y".repeat(EVENT_LIMIT - 100)}\r\n\r\n`]));
  });

  it("delivers whole events however the provider cut them, at every kind of event end", async () => {
    const chunks = await chunksOf(await fetchStreamed(`${base}/events-in-odd-pieces`));
    expect(chunks).toEqual([
      "data: 1\n\n",
      "data: 2\r\r",
      "data: 3\r\n\r\n",
      "event: x\ndata: 4\n\n",
      // The unfinished last one too: the client decides what it is worth.
      "data: 5",
    ]);
  });

  it("leaves out a byte order mark the stream opens with", async () => {
    expect(await chunksOf(await fetchStreamed(`${base}/events-after-bom`))).toEqual([
      "data: 1\n\n",
      "data: 2\n\n",
    ]);
  });

  it("drops the events no client reads: blank ones, comments, fields other than data and event", async () => {
    expect(await chunksOf(await fetchStreamed(`${base}/events-nobody-reads`))).toEqual(["data: kept\n\n"]);
  });

  it("reads an error body whole, past the event bound", async () => {
    const response = await fetchStreamed(`${base}/error-long`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toHaveLength(
      EVENT_LIMIT * 2,
    );
  });

  it("reads a JSON answer to a streamed call whole, past the event bound, and cuts it off at the body bound", async () => {
    const response = await fetchStreamed(`${base}/json-answer-long`);
    expect(((await response.json()) as { content: string }).content).toHaveLength(EVENT_LIMIT * 2);
    const endless = await fetchStreamed(`${base}/json-answer-endless`);
    await expect(endless.arrayBuffer()).rejects.toBeInstanceOf(TooLarge);
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
