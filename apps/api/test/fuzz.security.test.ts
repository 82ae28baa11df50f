// Odd inputs, in the spirit of property-based fuzzing: whatever a client sends (wrong types,
// huge or malformed strings, unicode edge cases, special numbers, superjson's richer types,
// broken envelopes), the admin API answers a 4xx or success, never an internal error.
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, startTestServer, type TestServer, type TestUser } from "./harness.ts";

const ODD_VALUES: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  true: true,
  zero: 0,
  negative: -1,
  negativeZero: -0,
  fraction: 1.5,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  minusInfinity: Number.NEGATIVE_INFINITY,
  int32Overflow: 2 ** 31,
  unsafeInteger: 2 ** 53 + 2,
  maxValue: Number.MAX_VALUE,
  emptyString: "",
  whitespace: " \t\n",
  numericString: "42",
  hugeString: "x".repeat(200_000),
  nul: "a\u0000b",
  loneSurrogate: "\uD800",
  emoji: "🤖".repeat(500),
  rtlOverride: "\u202Eevil",
  zeroWidth: "a\u200Bb",
  combining: "a\u0301",
  dottedCapitalI: "İstanbul",
  fullwidth: "Ｓｈｏｐ",
  sqlish: `'; DROP TABLE "ChatBot"; --`,
  likeWildcards: "%_\\",
  pathTraversal: "../../etc/passwd",
  html: "<script>alert(1)</script>",
  emptyArray: [],
  numberArray: [1, 2, 3],
  nestedObject: { a: { b: { c: [1, { d: null }] } } },
  date: new Date(0),
  invalidDate: new Date(Number.NaN),
  bigint: 10n,
  map: new Map([["a", 1]]),
  set: new Set([1]),
  regexp: /x/g,
};

/** Queries travel in the URL; a string this long is refused by the HTTP server (431), which is fine. */
const MAX_QUERY_STRING = 4_000;

let server: TestServer;
let owner: TestUser;
let chatbotId: number;
let names = 0;

beforeAll(async () => {
  server = await startTestServer();
  owner = await createAccount(server, "fuzzer");
  chatbotId = (await owner.client.chatbot.create.mutate({ name: "target" })).id;
});
afterAll(async () => {
  await server?.close();
});

/** The HTTP status a call ended with: 200 on success. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (!(error instanceof TRPCClientError)) throw error;
    const response = (error.meta as { response?: Response } | undefined)?.response;
    return error.data?.httpStatus ?? response?.status ?? 0;
  }
}

type Call = (input: Record<string, unknown>) => Promise<unknown>;

interface Target {
  procedure: string;
  call: Call;
  /** A valid input each odd value is put into, one field at a time. */
  base: () => Record<string, unknown>;
  fields: string[];
  query?: boolean;
}

const CHATBOT_FIELDS = [
  "name",
  "description",
  "version",
  "annotations",
  "tags",
  "provider",
  "defaultModel",
  "defaultSystemRole",
  "defaultTemperature",
  "defaultMaxTokens",
  "appName",
  "appExamplePrompts",
  "appInfoUrl",
  "appLogoUrl",
  "appFileAttachment",
  "customDomainId",
];

const targets = (): Target[] => {
  const c = owner.client;
  const any = <T>(fn: (input: T) => Promise<unknown>): Call => fn as Call;
  return [
    {
      procedure: "chatbot.create",
      call: any(c.chatbot.create.mutate),
      base: () => ({ name: `fuzz${++names}` }),
      fields: CHATBOT_FIELDS,
    },
    {
      procedure: "chatbot.update",
      call: any(c.chatbot.update.mutate),
      base: () => ({ id: chatbotId }),
      fields: ["id", ...CHATBOT_FIELDS.filter((f) => f !== "name")],
    },
    {
      procedure: "chatbot.list",
      call: any(c.chatbot.list.query),
      base: () => ({}),
      fields: ["cursor", "limit", "deployed", "mode", "tag", "search"],
      query: true,
    },
    {
      procedure: "chatbot.get",
      call: any(c.chatbot.get.query),
      base: () => ({ id: chatbotId }),
      fields: ["id"],
      query: true,
    },
    {
      procedure: "chatbot.deploy",
      call: any(c.chatbot.deploy.mutate),
      base: () => ({ id: chatbotId }),
      fields: ["id"],
    },
    {
      procedure: "domain.create",
      call: any(c.domain.create.mutate),
      base: () => ({ domainName: "ok.com" }),
      fields: ["domainName"],
    },
    {
      procedure: "apiKey.create",
      call: any(c.apiKey.create.mutate),
      base: () => ({ chatbotId }),
      fields: ["chatbotId", "name"],
    },
    {
      procedure: "request.list",
      call: any(c.request.list.query),
      base: () => ({ chatbotId }),
      fields: ["chatbotId", "cursor", "limit"],
      query: true,
    },
  ];
};

describe("odd inputs through the typed client", () => {
  it("never produce an internal error, field by field", async () => {
    const failures: string[] = [];
    for (const target of targets()) {
      for (const field of target.fields) {
        for (const [label, value] of Object.entries(ODD_VALUES)) {
          if (target.query && typeof value === "string" && value.length > MAX_QUERY_STRING) continue;
          const status = await statusOf(target.call({ ...target.base(), [field]: value }));
          if (status >= 500 || status === 0)
            failures.push(`${target.procedure} ${field}=${label} → ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
  }, 300_000); // Over a thousand sequential calls: a loaded 2-core machine needs far more than 60 s.

  it("never produce an internal error as a whole input", async () => {
    const failures: string[] = [];
    for (const target of targets()) {
      for (const [label, value] of Object.entries(ODD_VALUES)) {
        if (target.query && typeof value === "string" && value.length > MAX_QUERY_STRING) continue;
        const status = await statusOf((target.call as (input: unknown) => Promise<unknown>)(value));
        if (status >= 500 || status === 0) failures.push(`${target.procedure} input=${label} → ${status}`);
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("broken requests over raw HTTP", () => {
  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}/trpc/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${owner.token}`, ...headers },
      body,
    });
  const get = (path: string) =>
    fetch(`${server.url}/trpc/${path}`, { headers: { authorization: `Bearer ${owner.token}` } });

  it("answers 4xx to malformed bodies, envelopes and paths", async () => {
    const responses = await Promise.all([
      post("chatbot.create", "{not json"),
      post("chatbot.create", ""),
      post("chatbot.create", "null"),
      post("chatbot.create", '{"json": {"name": "rawOk"}, "meta": {"values": {"name": ["Date"]}}}'),
      post("chatbot.create", '{"json": {"name": "x"}, "meta": {"values": {"__proto__": ["undefined"]}}}'),
      post("chatbot.create", '{"json": {"name": "x"}, "meta": {"values": {"name": ["bogus-type"]}}}'),
      post("chatbot.create", '{"json": {"name": "x"}, "meta": "garbage"}'),
      post("chatbot.update", '{"json": {"id": 1, "constructor": {"prototype": {"polluted": true}}}}'),
      post("chatbot.create", JSON.stringify({ json: { name: "y".repeat(1_000_000) } })),
      post("chatbot.create", '{"json": {"name": "textPlain"}}', { "content-type": "text/plain" }),
      post("chatbot.nope", "{}"),
      post("chatbot", "{}"),
      get("chatbot.get?input=%7Bbroken"),
      get("chatbot.get?input=%7B%22json%22%3A%7B%22id%22%3A%22%F0%9F%A4%96%22%7D%7D"),
      get("chatbot.create?input=%7B%7D"),
      get("chatbot.get,chatbot.list?batch=1&input=%7B%7D"),
      get("..%2F..%2Fhealth"),
    ]);
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
  });

  it("lets no __proto__ key reach a prototype or a column", async () => {
    // superjson's client refuses __proto__ keys; a hand-made request can still send them.
    const responses = await Promise.all([
      post(
        "chatbot.create",
        '{"json": {"name": "protoTop", "__proto__": {"deployed": true, "polluted": 1}}}',
      ),
      post(
        "chatbot.create",
        '{"json": {"name": "protoDeep", "annotations": {"__proto__": {"polluted": 1}}}}',
      ),
    ]);
    expect(responses.map((r) => r.status).filter((s) => s >= 500)).toEqual([]);
    // The server runs in this process: a polluted prototype would show here.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).deployed).toBeUndefined();
    const { items } = await owner.client.chatbot.list.query({ search: "proto" });
    for (const bot of items) expect(bot).toMatchObject({ deployed: false, annotations: {} });
  });
});
