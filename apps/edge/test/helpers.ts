// Shared by the workerd tests: calling the worker (through its real entry point, or with
// bindings of a test's own), the control server, and the admin API over HTTP (tRPC, as the
// admin app calls it).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { UpstashRouteStore } from "@botgate/cache";
import { routeKey } from "@botgate/core";
import { Redis } from "@upstash/redis";
import { expect, inject } from "vitest";
import worker from "../src/index.ts";

export const ROOT_DOMAIN = "botgate.localhost";
export const API_HOST = `api.local.${ROOT_DOMAIN}`;
export const PLATFORM_HOST = `platform.local.${ROOT_DOMAIN}`;
export const ORIGIN_URL = inject("originUrl");
export const CONTROL_URL = inject("controlUrl");
export const UPSTASH = { url: inject("upstashUrl"), token: inject("upstashToken") };
export const EDGE_SECRET = inject("edgeSecret");
export const SLOW_UPSTASH_URL = inject("slowUpstashUrl");
export const INSPECT_URL = inject("inspectUrl");
export const WRANGLER_DEV_URL = inject("wranglerDevUrl");
/** The L1 lifetimes vitest.config.mts sets, and a margin for the round trips after them. */
export const L1_TTL_MS = 1_000;
export const TTL_MARGIN_MS = 1_500;

/** Through the worker's real entry point, with the configured bindings. */
export function edge(input: string | Request, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(input, init));
}

export type Bindings = Partial<Record<keyof Cloudflare.Env, string | undefined>>;

/** The worker with bindings of the test's own (other upstreams, no Redis, ...): its own services and L1. */
export async function edgeWith(
  bindings: Bindings,
  input: string | Request,
  init?: RequestInit,
): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(input, init), { ...env, ...bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

export async function control<T = unknown>(path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${CONTROL_URL}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${await response.text()}`);
  return response.json<T>();
}

/** How often the origin answered /internal/resolve for this target (`host:<h>` or `id:<n>`). */
export async function resolveCalls(target: string): Promise<number> {
  const { count } = await control<{ count: number }>(`/resolve-calls?target=${encodeURIComponent(target)}`);
  return count;
}

/** How often the origin answered /internal/resolve for any target starting with `prefix`. */
export async function resolveCallsWithPrefix(prefix: string): Promise<number> {
  const { count } = await control<{ count: number }>(`/resolve-calls?prefix=${encodeURIComponent(prefix)}`);
  return count;
}

/** A response the origin's address gives instead of the API's (see test/node/stack.ts). */
export interface CannedAnswer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

export interface Upstreams {
  id: string;
  originUrl: string;
  upstashUrl: string;
  upstashToken: string;
  bindings: Bindings;
  stop(service: "origin" | "upstash"): Promise<void>;
  start(service: "origin" | "upstash"): Promise<void>;
  /** Every request to the origin gets `answer` until called again with null. */
  answerInstead(answer: CannedAnswer | null): Promise<void>;
}

/** An origin and an Upstash endpoint of the test's own, to stop and start without disturbing others. */
export async function ownUpstreams(): Promise<Upstreams> {
  const u = await control<Omit<Upstreams, "bindings" | "stop" | "start">>("/upstreams", {});
  return {
    ...u,
    bindings: {
      ORIGIN_URL: u.originUrl,
      UPSTASH_REDIS_REST_URL: u.upstashUrl,
      UPSTASH_REDIS_REST_TOKEN: u.upstashToken,
    },
    stop: (service) => control(`/upstreams/${u.id}/${service}/stop`, {}).then(() => {}),
    start: (service) => control(`/upstreams/${u.id}/${service}/start`, {}).then(() => {}),
    answerInstead: (answer) => control(`/upstreams/${u.id}/origin/answer`, answer).then(() => {}),
  };
}

/** tRPC v11 over HTTP with superjson's JSON envelope; inputs here are plain JSON. */
export async function trpc<T = unknown>(token: string, procedure: string, input: unknown): Promise<T> {
  const query = procedure.endsWith(".get") || procedure.endsWith(".list");
  const url = `${ORIGIN_URL}/trpc/${procedure}`;
  const response = await fetch(
    query ? `${url}?input=${encodeURIComponent(JSON.stringify({ json: input }))}` : url,
    {
      method: query ? "GET" : "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(query ? {} : { body: JSON.stringify({ json: input }) }),
    },
  );
  const body = await response.json<{ result?: { data: { json: T } }; error?: unknown }>();
  if (!response.ok || body.result === undefined)
    throw new Error(`${procedure}: ${JSON.stringify(body.error)}`);
  return body.result.data.json;
}

export interface Account {
  accountNumber: string;
  accountId: number;
  userProfileId: number;
  token: string;
}

export const newAccount = () => control<Account>("/accounts", {});

export interface Chatbot {
  id: number;
  name: string;
  hashedId: string;
  defaultHost: string;
  customHost: string | null;
  sandboxUrl: string;
  deployed: boolean;
}

let names = 0;
/** A unique chatbot name per test run: hosts and ids never collide between test files. */
export const uniqueName = (base = "bot") => `${base}${Date.now().toString(36)}${++names}`;

/** Created (and, unless told otherwise, deployed) through the admin API, as a customer would. */
export async function createChatbot(
  account: Account,
  { deploy = true, ...fields }: { deploy?: boolean } & Record<string, unknown> = {},
): Promise<Chatbot> {
  const created = await trpc<Chatbot>(account.token, "chatbot.create", {
    name: uniqueName(),
    provider: "echo",
    appName: "Test Bot",
    appWelcomeMessage: "Hello!",
    ...fields,
  });
  if (!deploy) return created;
  await trpc<Chatbot>(account.token, "chatbot.deploy", { id: created.id });
  // The deployment job (record, certificate, DNS check) makes it ready moments later.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const current = await trpc<Chatbot & { live: boolean }>(account.token, "chatbot.get", { id: created.id });
    // The routing cache is written just after the job's commit: a request in between would
    // meet (and keep in its L1) the record from before it was ready.
    if (current.live && (await routedReady(current.defaultHost))) return current;
    if (Date.now() > deadline) throw new Error(`chatbot ${created.id} never became ready`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const routingCache = new UpstashRouteStore({
  redis: new Redis({ url: UPSTASH.url, token: UPSTASH.token }),
  timeoutMs: 5_000,
});

async function routedReady(host: string): Promise<boolean> {
  const entry = await routingCache.get(routeKey({ kind: "host", host }));
  return entry?.found === true && entry.ready;
}

export const sandboxPath = (chatbot: Pick<Chatbot, "hashedId">) => `/workbench/chatbots/${chatbot.hashedId}/`;

/** Polls until `check` passes or `timeoutMs` elapses; answers how long it took. */
export async function eventually(check: () => Promise<void>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** The platform's one error shape, with a request id in the body and in X-Request-Id. */
export async function expectError(response: Response, status: number, code: string) {
  const body = await response.json<{
    error: { code: string; message: string; requestId: string; details?: Record<string, unknown> };
  }>();
  expect({ status: response.status, code: body.error.code }).toEqual({ status, code });
  expect(typeof body.error.message).toBe("string");
  expect(body.error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(response.headers.get("x-request-id")).toBe(body.error.requestId);
  return body.error;
}

/** The parts of the origin's answers (SPEC §6) the tests read. */
export interface ChatEnvelope {
  data: {
    isBase64Encoded: boolean;
    statusCode: number;
    headers: Record<string, string>;
    body: {
      object: string;
      choices: { message: { role: string; content: string } }[];
      metadata: { session_key: string; mode: string; chatbot_id: number; request_id: string };
    };
  };
  api: string;
  thing: string;
  metadata: { command: string };
}

export interface ConfigEnvelope {
  data: {
    session_key: string | null;
    sandbox_mode: boolean;
    chatbot: Record<string, unknown>;
    history: {
      chat: { session_key: string } | null;
      chat_history: { role: string; content: string }[];
      chatbot_request_history: unknown[];
    };
    meta_data: Record<string, unknown>;
  };
  thing: string;
  stale?: boolean;
}
