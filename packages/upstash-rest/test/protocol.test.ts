// The wire protocol, spoken directly to the in-process Hono app (no HTTP server needed).
import { Redis as IORedis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { createUpstashRestApp, TEST_COMMANDS } from "../src/index.ts";
import { encodeReply } from "../src/reply.ts";
import { REDIS_URL, uniquePrefix } from "./helpers.ts";

const TOKEN = "protocol-token";
const prefix = uniquePrefix();
const k = (name: string) => `${prefix}${name}`;
const ioredis = new IORedis(REDIS_URL, { enableOfflineQueue: false, lazyConnect: true });
await ioredis.connect();
const app = createUpstashRestApp({
  redis: ioredis,
  token: TOKEN,
  commands: TEST_COMMANDS,
  maxBodyBytes: 64 * 1024,
});

const auth = { authorization: `Bearer ${TOKEN}` };
const base64 = { ...auth, "upstash-encoding": "base64" };

async function call(path: string, init: RequestInit = {}) {
  const res = await app.request(path, { method: "POST", ...init, headers: { ...auth, ...init.headers } });
  return { status: res.status, type: res.headers.get("content-type"), body: (await res.json()) as unknown };
}
const command = (body: unknown, headers: Record<string, string> = auth) =>
  call("/", { body: JSON.stringify(body), headers });

afterAll(async () => {
  const keys = await ioredis.keys(`${prefix}*`);
  if (keys.length > 0) await ioredis.del(...keys);
  ioredis.disconnect();
});

describe("authentication", () => {
  it("answers 401 JSON without an Authorization header", async () => {
    const res = await app.request("/", { method: "POST", body: JSON.stringify(["PING"]) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "Unauthorized" });
  });

  it("answers 401 JSON for a wrong or non-Bearer token", async () => {
    for (const authorization of [`Bearer nope`, `Basic ${btoa(`x:${TOKEN}`)}`, "Bearer"]) {
      const res = await app.request("/", { method: "POST", headers: { authorization }, body: '["PING"]' });
      expect(res.status).toBe(401);
    }
  });

  it("takes the token only from the Authorization header, never from a _token query parameter", async () => {
    const res = await app.request(`/ping?_token=${TOKEN}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/^Unauthorized/) });
  });
});

describe("request validation", () => {
  it("rejects a body that is not JSON with 400 JSON", async () => {
    expect(await call("/", { body: "{not json" })).toMatchObject({
      status: 400,
      type: expect.stringContaining("application/json"),
      body: { error: expect.stringMatching(/^ERR .*not valid JSON/) },
    });
  });

  it("rejects bodies that are not an array of strings, numbers or booleans", async () => {
    for (const body of [{}, [], "GET", [1, "k"], ["", "k"], ["SET", "k", { v: 1 }], ["SET", "k", null]]) {
      expect((await command(body)).status).toBe(400);
    }
  });

  it("rejects a pipeline that is empty or holds a malformed command", async () => {
    expect((await call("/pipeline", { body: "[]" })).status).toBe(400);
    expect((await call("/pipeline", { body: JSON.stringify([["PING"], "PING"]) })).status).toBe(400);
    expect((await call("/multi-exec", { body: JSON.stringify([[]]) })).status).toBe(400);
  });

  it("rejects a body over the size limit with 413 JSON", async () => {
    const huge = JSON.stringify(["SET", k("huge"), "x".repeat(100 * 1024)]);
    expect(await call("/", { body: huge })).toMatchObject({
      status: 413,
      body: { error: expect.any(String) },
    });
  });

  it("turns numbers and booleans into their string form", async () => {
    await command(["SET", k("n"), 12.5]);
    await command(["SET", k("b"), true]);
    expect((await command(["MGET", k("n"), k("b")])).body).toEqual({ result: ["12.5", "true"] });
  });

  it("answers a Redis error as 400 with the Redis message", async () => {
    expect(await command(["SET", k("bad-ex"), "v", "EX", "soon"])).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^ERR value is not an integer/) },
    });
  });

  it("refuses blocking, pub/sub, connection-state and unknown commands instead of running them", async () => {
    for (const refused of [
      ["BLPOP", k("l"), "0"],
      ["SUBSCRIBE", "c"],
      ["SELECT", "1"],
      ["XREAD", "BLOCK", "0", "STREAMS", k("s"), "$"],
      ["NOSUCHCOMMAND"],
    ]) {
      expect(await command(refused)).toMatchObject({
        status: 403,
        body: { error: expect.stringMatching(/^ERR command '\w+' is not allowed/) },
      });
    }
  });
});

describe("response encoding", () => {
  it("base64-encodes string results when asked, except a top-level OK", async () => {
    expect((await command(["SET", k("enc"), "bär"], base64)).body).toEqual({ result: "OK" });
    expect((await command(["GET", k("enc")], base64)).body).toEqual({
      result: Buffer.from("bär").toString("base64"),
    });
    expect((await command(["GET", k("enc")])).body).toEqual({ result: "bär" });
  });

  it("encodes strings inside nested arrays and leaves integers and nulls alone", async () => {
    const reply = [1, Buffer.from("a"), [2, Buffer.from("OK")], null];
    expect(encodeReply(reply, "base64")).toEqual([1, btoa("a"), [2, btoa("OK")], null]);
    await command(["SET", k("arr"), "x"]);
    expect((await command(["MGET", k("arr"), k("none")], base64)).body).toEqual({
      result: [btoa("x"), null],
    });
  });

  it("returns the exact bytes of a binary value in base64 and U+FFFD without it", async () => {
    const bytes = Buffer.from([0xff, 0x00, 0x61]);
    await call(`/set/${encodeURIComponent(k("bin"))}`, { body: bytes });
    expect((await command(["GET", k("bin")], base64)).body).toEqual({ result: bytes.toString("base64") });
    expect((await command(["GET", k("bin")])).body).toEqual({ result: "\ufffd\u0000a" });
  });
});

describe("pipeline and transaction endpoints", () => {
  it("answers a pipeline with one result or error per command, refused ones included", async () => {
    const { status, body } = await call("/pipeline", {
      body: JSON.stringify([
        ["SET", k("p"), "v"],
        ["SET", k("p"), "w", "EX", "soon"],
        ["BLPOP", k("l"), 0],
        ["GET", k("p")],
      ]),
    });
    expect(status).toBe(200);
    expect(body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/not an integer/) },
      { error: expect.stringMatching(/not allowed/) },
      { result: "v" },
    ]);
  });

  it("answers a transaction with per-command results, runtime errors included", async () => {
    const { status, body } = await call("/multi-exec", {
      body: JSON.stringify([
        ["SET", k("t"), "v"],
        ["SET", k("t"), "w", "EX", "soon"],
        ["GET", k("t")],
      ]),
      headers: base64,
    });
    expect(status).toBe(200);
    expect(body).toEqual([
      { result: "OK" },
      { error: expect.stringMatching(/not an integer/) },
      { result: btoa("v") },
    ]);
  });

  it("discards a whole transaction holding a refused command", async () => {
    const { status } = await call("/multi-exec", {
      body: JSON.stringify([
        ["SET", k("never"), "v"],
        ["WATCH", k("x")],
      ]),
    });
    expect(status).toBe(403);
    expect((await command(["EXISTS", k("never")])).body).toEqual({ result: 0 });
  });
});

describe("path-style commands", () => {
  it("runs GET /set/k/v and GET /get/k", async () => {
    expect((await call(`/set/${k("path")}/hello`, { method: "GET" })).body).toEqual({ result: "OK" });
    expect((await call(`/get/${k("path")}`, { method: "GET" })).body).toEqual({ result: "hello" });
  });

  it("appends a POST body as the last argument and query pairs after it", async () => {
    await call(`/set/${k("posted")}?EX=100`, { body: '{"a":1}' });
    expect((await command(["GET", k("posted")])).body).toEqual({ result: '{"a":1}' });
    expect((await command(["TTL", k("posted")])).body).toEqual({ result: expect.any(Number) });
    expect(((await command(["TTL", k("posted")])).body as { result: number }).result).toBeGreaterThan(90);
  });

  it("answers unsupported methods with 404 JSON", async () => {
    expect(await call("/get/x", { method: "DELETE" })).toMatchObject({
      status: 404,
      body: { error: expect.any(String) },
    });
  });
});
