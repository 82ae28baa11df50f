// The real services the edge talks to in tests, run in Node by the vitest globalSetup: the
// API (admin API, /internal/resolve, chat origin) on a fresh test database from the API's own
// test harness, and Upstash-compatible endpoints on the machine's real Redis. Each edge-facing
// service can be stopped and started again on the same port, and the origin counts the
// /internal/resolve calls it answers, per target.
import type { AddressInfo } from "node:net";
import { verifyForwardedRequest } from "@botgate/forwarding";
import { startFakeOpenAi } from "@botgate/llm/testing";
import { type RunningUpstashRest, startUpstashRest, TEST_COMMANDS } from "@botgate/upstash-rest";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createApp } from "../../../api/src/app.ts";
import { REDIS_URL, startTestServer, type TestServer } from "../../../api/test/harness.ts";

type FetchHandler = (request: Request, env: unknown) => Response | Promise<Response>;

/** An HTTP server that can go away (connections refused) and come back on the same port. */
export class RestartableServer {
  #server: ReturnType<typeof serve> | null = null;
  #port = 0;
  readonly #fetch: FetchHandler;

  private constructor(fetch: FetchHandler) {
    this.#fetch = fetch;
  }

  static async start(fetch: FetchHandler): Promise<RestartableServer> {
    const server = new RestartableServer(fetch);
    await server.resume();
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== null;
  }

  async resume(): Promise<void> {
    if (this.#server !== null) return;
    await new Promise<void>((resolve) => {
      this.#server = serve(
        { fetch: this.#fetch, port: this.#port, hostname: "127.0.0.1" },
        (info: AddressInfo) => {
          this.#port = info.port;
          resolve();
        },
      );
    });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (server === null) return;
    this.#server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      if ("closeAllConnections" in server) server.closeAllConnections();
    });
  }
}

/** The Upstash endpoint, restartable on its port (startUpstashRest binds a new server each time). */
export class RestartableUpstash {
  #endpoint: RunningUpstashRest | null;
  readonly #port: number;
  readonly token: string;

  private constructor(endpoint: RunningUpstashRest) {
    this.#endpoint = endpoint;
    this.#port = Number(new URL(endpoint.url).port);
    this.token = endpoint.token;
  }

  static async start(token: string): Promise<RestartableUpstash> {
    return new RestartableUpstash(
      await startUpstashRest({ redisUrl: REDIS_URL, token, commands: TEST_COMMANDS }),
    );
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async stop(): Promise<void> {
    await this.#endpoint?.close();
    this.#endpoint = null;
  }

  async resume(): Promise<void> {
    this.#endpoint ??= await startUpstashRest({
      redisUrl: REDIS_URL,
      token: this.token,
      port: this.#port,
      commands: TEST_COMMANDS,
    });
  }
}

/** What the origin's address answers instead of the API while set: a front's HTML 502, a 503... */
export interface CannedAnswer {
  status: number;
  contentType: string;
  body: string;
  headers?: Record<string, string>;
}

/** One origin process's HTTP face plus one Upstash endpoint: what one edge configuration uses. */
export interface EdgeUpstreams {
  origin: RestartableServer;
  upstash: RestartableUpstash;
  /** Every request to the origin (resolves included) gets this while it is set. */
  answerInstead(answer: CannedAnswer | null): void;
}

export class EdgeTestStack {
  readonly api: TestServer;
  readonly #resolveCalls = new Map<string, number>();
  readonly #upstreams = new Map<string, EdgeUpstreams>();
  #nextId = 0;

  /** The API's provider: the fake OpenAI server's base URL (benchmarks call it directly). */
  readonly fakeOpenAiUrl: string;

  private constructor(api: TestServer, fakeOpenAiUrl: string) {
    this.api = api;
    this.fakeOpenAiUrl = fakeOpenAiUrl;
  }

  /**
   * The API's platform default provider is the fake OpenAI server of @botgate/llm/testing
   * (chatbots with provider "openai"; the model picks the fake's behaviour), with a short
   * stream idle timeout so stalls fail quickly. `env` adds to (or overrides) the API's
   * environment, e.g. DNS_RESOLVERS or ADMIN_DIST_DIR.
   */
  static async start(options: { env?: Record<string, string> } = {}): Promise<EdgeTestStack> {
    const fake = await startFakeOpenAi();
    const api = await startTestServer({
      env: {
        OPENAI_API_KEY: "sk-fake",
        OPENAI_BASE_URL: fake.baseUrl,
        // As production runs it: forward nonces over the API's own TCP connection to Redis.
        REDIS_URL,
        CHAT_STREAM_IDLE_TIMEOUT_MS: "500",
        ...options.env,
      },
    });
    const close = api.close;
    api.close = async () => {
      await close();
      await fake.close();
    };
    return new EdgeTestStack(api, fake.baseUrl);
  }

  /** How often any origin of this stack answered /internal/resolve for `target` (e.g. host:x). */
  resolveCalls(target: string): number {
    return this.#resolveCalls.get(target) ?? 0;
  }

  /** The same, summed over every target that starts with `prefix`. */
  resolveCallsWithPrefix(prefix: string): number {
    let total = 0;
    for (const [target, count] of this.#resolveCalls) if (target.startsWith(prefix)) total += count;
    return total;
  }

  /** The worker's bindings for a pair of upstreams: its origin, its Redis and the edge secret. */
  workerVars(upstreams: EdgeUpstreams): Record<string, string> {
    return {
      ORIGIN_URL: upstreams.origin.url,
      UPSTASH_REDIS_REST_URL: upstreams.upstash.url,
      UPSTASH_REDIS_REST_TOKEN: upstreams.upstash.token,
      EDGE_SHARED_SECRET: this.api.runtime.edgeSecret,
    };
  }

  /** A new origin server (same API, same database) and Upstash endpoint (same Redis). */
  async addUpstreams(): Promise<{ id: string } & EdgeUpstreams> {
    const app = createApp(this.api.runtime);
    let canned: CannedAnswer | null = null;
    const origin = await RestartableServer.start((request, env) => {
      if (canned !== null) {
        return new Response(canned.body, {
          status: canned.status,
          headers: { ...canned.headers, "content-type": canned.contentType },
        });
      }
      const url = new URL(request.url);
      if (url.pathname === "/internal/resolve") {
        const target = url.searchParams.get("target") ?? "";
        this.#resolveCalls.set(target, (this.#resolveCalls.get(target) ?? 0) + 1);
      }
      return app.fetch(request, env);
    });
    const upstash = await RestartableUpstash.start(this.api.runtime.routeCache.token ?? "edge-test");
    const id = String(++this.#nextId);
    const upstreams: EdgeUpstreams = {
      origin,
      upstash,
      answerInstead: (answer) => {
        canned = answer;
      },
    };
    this.#upstreams.set(id, upstreams);
    return { id, ...upstreams };
  }

  /**
   * An origin that answers /internal/resolve like the real one and every other request with
   * what it received (method, path, headers, body, and whether the edge's signature verifies),
   * so tests can see exactly what the edge forwards.
   */
  async startInspectingOrigin(): Promise<RestartableServer> {
    const app = createApp(this.api.runtime);
    const secret = this.api.runtime.edgeSecret;
    return RestartableServer.start(async (request, env) => {
      const url = new URL(request.url);
      if (url.pathname === "/internal/resolve") return app.fetch(request, env);
      const body = new Uint8Array(await request.arrayBuffer());
      const verification = await verifyForwardedRequest(
        secret,
        { method: request.method, path: url.pathname + url.search, headers: request.headers, body },
        { replay: { nonces: this.api.runtime.forwardNonces, whenUnavailable: "refuse" } },
      );
      return Response.json(
        {
          method: request.method,
          path: url.pathname + url.search,
          headers: Object.fromEntries(request.headers),
          body: new TextDecoder().decode(body),
          verification,
        },
        { headers: { "x-inspected": "1", connection: "close", "keep-alive": "timeout=5" } },
      );
    });
  }

  /** Every request passed through to the fake provider (`/v1` prefixed), as the origin's fetch would. */
  bareProxy(): Hono {
    const app = new Hono();
    const target = this.fakeOpenAiUrl.replace(/\/v1$/, "");
    app.all("*", async (c) => {
      const request = c.req.raw;
      const path = new URL(request.url).pathname.replace(/^(?:\/v1)?/, "/v1");
      const body = request.method === "GET" ? null : await request.arrayBuffer();
      const answer = await fetch(`${target}${path}`, {
        method: request.method,
        headers: { "content-type": "application/json", authorization: "Bearer sk-fake" },
        body,
      });
      return new Response(answer.body, { status: answer.status, headers: answer.headers });
    });
    return app;
  }

  upstreams(id: string): EdgeUpstreams | undefined {
    return this.#upstreams.get(id);
  }

  async close(): Promise<void> {
    for (const { origin, upstash } of this.#upstreams.values()) {
      await origin.stop();
      await upstash.stop();
    }
    await this.api.close();
  }
}
