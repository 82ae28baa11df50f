// boundedFetch: no answer body longer than the bound reaches the caller, whatever the server
// declares, and a body whose declared length is within the bound passes through uncounted.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boundedFetch } from "../src/bounded-response.ts";

const LIMIT = 64 * 1024;
class TooLarge extends Error {}
const fetchBounded = boundedFetch(fetch, LIMIT, () => new TooLarge("too large"));

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
        res.writeHead(200, { "content-type": "text/event-stream" });
        res.end(big);
        return;
      case "/gzip-bomb":
        // A few hundred bytes on the wire, four times the bound once inflated.
        res.writeHead(200, { "content-encoding": "gzip", "content-length": String(bomb.length) });
        res.end(bomb);
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
});
