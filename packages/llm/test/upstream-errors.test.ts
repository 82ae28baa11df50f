// The documented upstream-error table, row by row, against the fake OpenAI server: each
// upstream answer becomes our code and status, says who failed, and carries retry-after.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { BotgateError, ERROR_STATUS } from "@botgate/core";
import { APIError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  mapUpstreamError,
  OpenAiCompatibleProvider,
  providerFailureOf,
  retryAfterMsOf,
  rowForStatus,
} from "../src/index.ts";
import { type FakeOpenAiServer, refusingBaseUrl, startFakeOpenAi } from "../src/testing/fake-openai.ts";
import { redactedQuote } from "../src/upstream-errors.ts";

let fake: FakeOpenAiServer;
beforeAll(async () => {
  fake = await startFakeOpenAi();
});
afterAll(() => fake.close());

const request = (model: string) => ({
  model,
  messages: [{ role: "user" as const, content: "hi" }],
  temperature: null,
  maxTokens: null,
});

async function failureOf(promise: Promise<unknown>): Promise<BotgateError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BotgateError);
  return error as BotgateError;
}

async function streamFailureOf(provider: OpenAiCompatibleProvider, model: string) {
  return failureOf(
    (async () => {
      for await (const _ of provider.stream(request(model))) {
        // drain
      }
    })(),
  );
}

const TABLE = [
  { upstream: 400, code: "PROVIDER_REJECTED_REQUEST", status: 400, side: "request", retryable: false },
  { upstream: 401, code: "PROVIDER_AUTH", status: 502, side: "configuration", retryable: false },
  { upstream: 403, code: "PROVIDER_AUTH", status: 502, side: "configuration", retryable: false },
  { upstream: 404, code: "PROVIDER_MODEL_NOT_FOUND", status: 502, side: "configuration", retryable: false },
  { upstream: 408, code: "PROVIDER_TIMEOUT", status: 504, side: "provider", retryable: true },
  { upstream: 409, code: "PROVIDER_ERROR", status: 502, side: "provider", retryable: true },
  { upstream: 422, code: "PROVIDER_REJECTED_REQUEST", status: 400, side: "request", retryable: false },
  { upstream: 429, code: "PROVIDER_RATE_LIMITED", status: 429, side: "provider", retryable: true },
  { upstream: 500, code: "PROVIDER_ERROR", status: 502, side: "provider", retryable: true },
  { upstream: 502, code: "PROVIDER_ERROR", status: 502, side: "provider", retryable: true },
  { upstream: 503, code: "PROVIDER_UNAVAILABLE", status: 503, side: "provider", retryable: true },
  { upstream: 504, code: "PROVIDER_TIMEOUT", status: 504, side: "provider", retryable: true },
] as const;

describe("upstream status → our error", () => {
  const provider = () =>
    new OpenAiCompatibleProvider({ name: "acme", baseUrl: fake.baseUrl, apiKey: "sk-test" });

  for (const row of TABLE) {
    it(`upstream ${row.upstream} is ${row.code} (${row.status}), ${row.side} failed, retryable ${row.retryable}`, async () => {
      for (const error of [
        await failureOf(provider().complete(request(`status:${row.upstream}`))),
        await streamFailureOf(provider(), `status:${row.upstream}`),
      ]) {
        expect(error.code).toBe(row.code);
        expect(error.status).toBe(row.status);
        expect(ERROR_STATUS[error.code]).toBe(row.status);
        const failure = providerFailureOf(error);
        expect(failure).toMatchObject({
          provider: "acme",
          side: row.side,
          retryable: row.retryable,
          upstreamStatus: row.upstream,
        });
        if (row.upstream === 429 || row.upstream === 503) expect(failure?.retryAfterMs).toBe(7000);
        else expect(failure?.retryAfterMs).toBeUndefined();
      }
    });
  }

  it("does not follow a redirect: a configuration error, not retryable, the request sent once", async () => {
    const before = fake.requests.length;
    for (const error of [
      await failureOf(provider().complete(request("redirect"))),
      await streamFailureOf(provider(), "redirect"),
    ]) {
      expect(error.code).toBe("PROVIDER_ERROR");
      expect(error.message).toBe(
        "The provider's base URL answers with a redirect; set it to the address it redirects to.",
      );
      expect(providerFailureOf(error)).toMatchObject({
        side: "configuration",
        retryable: false,
        upstreamStatus: 307,
      });
    }
    expect(fake.requests.length - before).toBe(2);
  });

  it("gives 429 and 503 a retry-after of 1 s when the provider named none", async () => {
    for (const status of [429, 503]) {
      const error = await failureOf(provider().complete(request(`status:${status}:bare`)));
      expect(providerFailureOf(error)?.retryAfterMs).toBe(1000);
    }
    const other = await failureOf(provider().complete(request("status:500:bare")));
    expect(providerFailureOf(other)?.retryAfterMs).toBeUndefined();
  });

  it("never shows a caller the provider's words, nor the owner the key, when a rejection echoes the request", async () => {
    const keys = ["sk-proj-Zq81xYw2vU9tS0rQ", "gsk_live-7f3a9c21e4b8d605", "short-key-but-ours"];
    for (const apiKey of keys) {
      const echoing = new OpenAiCompatibleProvider({ name: "acme", baseUrl: fake.baseUrl, apiKey });
      for (const status of [400, 422]) {
        for (const error of [
          await failureOf(echoing.complete(request(`status:${status}:echo`))),
          await streamFailureOf(echoing, `status:${status}:echo`),
        ]) {
          // The caller: our words and the provider's identifiers.
          expect(error.message).toBe(
            `The provider rejected the request (code fake_${status}, type invalid_request_error).`,
          );
          for (const rendered of [JSON.stringify(error.toBody("r1")), JSON.stringify(error.toOpenAiBody())]) {
            expect(rendered).not.toContain("fake upstream");
            expect(rendered).not.toContain(apiKey);
          }
          // The owner: the provider's words, without the key.
          expect(error.logDetails?.providerMessage).toBe(
            `fake upstream status ${status}: invalid header Authorization: Bearer [redacted]`,
          );
        }
      }
    }
  });

  it("cuts the key, its base64 and key-like words out of the words kept for the owner", () => {
    expect(redactedQuote("key ours-1234 is not valid for model x", "ours-1234")).toBe(
      "key [redacted] is not valid for model x",
    );
    expect(redactedQuote("got Basic dXNlcjpwYXNz and sk-abcdef123456", "other")).toBe(
      "got Basic [redacted] and [redacted]",
    );
    expect(redactedQuote("max_tokens must be at most 4096 for gpt-4o-mini", "sk-x")).toBe(
      "max_tokens must be at most 4096 for gpt-4o-mini",
    );
    // btoa("gsk_abc1") is "Z3NrX2FiYzE=": padded and not.
    expect(redactedQuote("bad token Z3NrX2FiYzE=, bare Z3NrX2FiYzE.", "gsk_abc1")).toBe(
      "bad token [redacted], bare [redacted].",
    );
    expect(redactedQuote("x".repeat(2000), undefined)).toHaveLength(500);
  });

  it("keeps no words of the provider for errors other than request rejections", async () => {
    const rejected = await failureOf(provider().complete(request("status:400")));
    expect(rejected.message).not.toContain("fake upstream");
    expect(rejected.logDetails?.providerMessage).toBe("fake upstream status 400");
    const auth = await failureOf(provider().complete(request("status:401")));
    expect(auth.message).toBe("The provider refused this chatbot's API key.");
    expect(auth.logDetails).toBeUndefined();
  });

  it("a connect failure is PROVIDER_UNREACHABLE (502), the provider failed, retryable", async () => {
    const refusing = new OpenAiCompatibleProvider({
      name: "acme",
      baseUrl: await refusingBaseUrl(),
      apiKey: "k",
    });
    for (const error of [
      await failureOf(refusing.complete(request("fake-model"))),
      await streamFailureOf(refusing, "fake-model"),
    ]) {
      expect(error.code).toBe("PROVIDER_UNREACHABLE");
      expect(error.status).toBe(502);
      expect(providerFailureOf(error)).toMatchObject({ side: "provider", retryable: true });
    }
  });

  it("an answer whose body fails after its headers broke off (PROVIDER_ERROR, retryable): the provider was reached", async () => {
    const breaking = createServer((req, res) => {
      if (req.url?.includes("gzip")) {
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        res.end('{"not":"gzip"}');
        return;
      }
      res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
      res.write('{"id":"c","choices":[');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((resolve) => breaking.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(breaking.address() as AddressInfo).port}`;
    try {
      for (const path of ["/v1", "/gzip/v1"]) {
        const provider = new OpenAiCompatibleProvider({
          name: "acme",
          baseUrl: `${base}${path}`,
          apiKey: "k",
        });
        const error = await failureOf(provider.complete(request("m")));
        expect(error, path).toMatchObject({
          code: "PROVIDER_ERROR",
          message: "The provider's answer broke off.",
        });
        expect(providerFailureOf(error), path).toMatchObject({ side: "provider", retryable: true });
      }
    } finally {
      breaking.closeAllConnections();
      await new Promise((resolve) => breaking.close(resolve));
    }
  });

  it("a timeout is PROVIDER_TIMEOUT (504), the provider failed, retryable", async () => {
    const slow = new OpenAiCompatibleProvider({
      name: "acme",
      baseUrl: fake.baseUrl,
      apiKey: "k",
      timeoutMs: 100,
    });
    for (const error of [
      await failureOf(slow.complete(request("slow-first-byte:3000"))),
      await streamFailureOf(slow, "slow-first-byte:3000"),
    ]) {
      expect(error.code).toBe("PROVIDER_TIMEOUT");
      expect(error.status).toBe(504);
      expect(providerFailureOf(error)).toMatchObject({ side: "provider", retryable: true, timeout: "total" });
    }
  });
});

describe("a status HTTP does not have", () => {
  it.each([600, 999])("%i is a provider error, not retryable", (status) => {
    expect(rowForStatus(status)).toMatchObject({
      code: "PROVIDER_ERROR",
      side: "provider",
      retryable: false,
    });
    expect(rowForStatus(599)).toMatchObject({ code: "PROVIDER_ERROR", retryable: true });
  });
});

describe("an error object inside a stream", () => {
  const streamed = (error: Record<string, unknown>) =>
    mapUpstreamError(new APIError(undefined, error, undefined, new Headers()), {
      provider: "p",
      secret: "sk-secret-key",
    });

  it("is the row its type names when it blames the request or the record, not retryable as a request rejection", () => {
    const rejected = streamed({
      type: "invalid_request_error",
      code: "context_length_exceeded",
      message: "This prompt is too long: You are Mira",
    });
    expect(rejected).toMatchObject({
      code: "PROVIDER_REJECTED_REQUEST",
      status: 400,
      message:
        "The provider rejected the request (code context_length_exceeded, type invalid_request_error).",
      logDetails: { providerMessage: "This prompt is too long: You are Mira" },
    });
    expect(providerFailureOf(rejected)).toMatchObject({ side: "request", retryable: false });
    expect(streamed({ type: "authentication_error" })).toMatchObject({ code: "PROVIDER_AUTH", status: 502 });
    expect(streamed({ type: "not_found_error" })).toMatchObject({ code: "PROVIDER_MODEL_NOT_FOUND" });
    const limited = streamed({ type: "rate_limit_error" });
    expect(providerFailureOf(limited)).toMatchObject({ retryable: true, retryAfterMs: 1_000 });
  });

  it("is an interrupted stream, retryable, when its type says the provider failed or says nothing known", () => {
    for (const error of [{ type: "server_error" }, { type: "whatever" }, { message: "oops" }, {}]) {
      expect(streamed(error)).toMatchObject({ code: "PROVIDER_STREAM_INTERRUPTED", status: 502 });
    }
  });
});

describe("retry-after", () => {
  it("prefers retry-after-ms, reads seconds and HTTP dates", () => {
    expect(retryAfterMsOf(new Headers({ "retry-after-ms": "1500", "retry-after": "9" }))).toBe(1500);
    expect(retryAfterMsOf(new Headers({ "retry-after": "2" }))).toBe(2000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    // The two obsolete forms HTTP recipients must still read: RFC 850 and asctime.
    expect(retryAfterMsOf(new Headers({ "retry-after": "Thursday, 01-Jan-26 00:00:05 GMT" }), now)).toBe(
      5000,
    );
    expect(retryAfterMsOf(new Headers({ "retry-after": "Thu Jan  1 00:00:05 2026" }), now)).toBe(5000);
    expect(retryAfterMsOf(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    // Not a delay: negative, zero, a date already past, a date-like word that is no HTTP date.
    for (const after of ["-5", "0", "Wed, 31 Dec 2025 23:59:00 GMT", "2026-01-01T00:00:05Z"]) {
      expect(retryAfterMsOf(new Headers({ "retry-after": after }), now)).toBeUndefined();
    }
    expect(retryAfterMsOf(new Headers({ "retry-after-ms": "0" }))).toBeUndefined();
    expect(retryAfterMsOf(new Headers())).toBeUndefined();
  });

  it("relays at most an hour, whatever the provider asks", () => {
    expect(retryAfterMsOf(new Headers({ "retry-after": "999999999" }))).toBe(3_600_000);
    expect(retryAfterMsOf(new Headers({ "retry-after-ms": "1e12" }))).toBeUndefined();
    expect(retryAfterMsOf(new Headers({ "retry-after-ms": "99999999999" }))).toBe(3_600_000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMsOf(new Headers({ "retry-after": "Fri, 01 Jan 2100 00:00:00 GMT" }), now)).toBe(
      3_600_000,
    );
  });
});

describe("a provider's rejection as the caller reads it", () => {
  const SYSTEM_PROMPT = "You are Mira. Secret discount code: ORCHID-77.";
  const KEY = "gsk_LiveSecret1234567890abcdefXYZ";
  /** Each model name answers 400 with this OpenAI error object. */
  const REJECTIONS: Record<string, object> = {
    echoing: {
      message: `Invalid messages[0].content: "System: ${SYSTEM_PROMPT}" (key gsk_LiveSecr**********defXYZ, ${btoa(KEY)})`,
      type: "invalid_request_error",
      param: "messages[0].content",
      code: "context_length_exceeded",
    },
    hostile: {
      message: "no",
      type: "invalid request error",
      param: `messages" ${SYSTEM_PROMPT}`,
      code: `${"x".repeat(65)}`,
    },
    newlines: { message: "no", type: "a\nb", param: "messages\n", code: '"quoted"' },
    keyed: { message: "no", type: 7, param: "gsk_LiveSecret", code: `Bearer_${KEY.slice(10, 20)}` },
    "not-an-object": { error: "Invalid request: System: You are Mira." },
  };
  let upstream: Server;
  let baseUrl: string;
  beforeAll(async () => {
    upstream = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        const { model } = JSON.parse(body) as { model: string };
        const rejection = REJECTIONS[model] ?? {};
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify("error" in rejection ? rejection : { error: rejection }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise((resolve) => upstream.close(resolve)));

  const provider = () => new OpenAiCompatibleProvider({ name: "acme", baseUrl, apiKey: KEY });
  const both = async (model: string) => [
    await failureOf(provider().complete(request(model))),
    await streamFailureOf(provider(), model),
  ];
  /** Everything of the error a caller can be shown, and its serialized forms. */
  const rendered = (error: BotgateError) => [
    error.message,
    JSON.stringify(error.toBody("r1")),
    JSON.stringify(error.toOpenAiBody()),
    JSON.stringify(error),
    JSON.stringify({ ...error }),
  ];

  it("relays the provider's code, param and type, never its words, the prompt or the key", async () => {
    for (const error of await both("echoing")) {
      expect(error.code).toBe("PROVIDER_REJECTED_REQUEST");
      expect(error.message).toBe(
        "The provider rejected the request (code context_length_exceeded, param messages[0].content, type invalid_request_error).",
      );
      expect(error.toOpenAiBody().error).toMatchObject({ code: "provider_rejected_request", param: null });
      for (const text of rendered(error)) {
        for (const secret of ["Mira", "ORCHID", "System:", "LiveSecr", "defXYZ", btoa(KEY), "Invalid"]) {
          expect(text).not.toContain(secret);
        }
      }
      // The owner reads the provider's words, the key's exact and base64 forms cut out.
      const kept = error.logDetails?.providerMessage;
      expect(kept).toContain(SYSTEM_PROMPT);
      expect(kept).not.toContain(btoa(KEY));
      expect(kept).not.toContain(KEY);
    }
  });

  it("drops code, param and type that are not short identifiers, or that repeat the key", async () => {
    for (const model of ["hostile", "newlines", "keyed", "not-an-object"]) {
      for (const error of await both(model)) {
        expect(error.code).toBe("PROVIDER_REJECTED_REQUEST");
        expect(error.message).toBe("The provider rejected the request.");
        for (const text of rendered(error)) {
          for (const secret of ["Mira", "xxxxxxxx", "quoted", "messages", "LiveSecr", KEY.slice(10, 20)]) {
            expect(text).not.toContain(secret);
          }
        }
      }
    }
  });
});
