// A real API process for tests: createApp() served by @hono/node-server on a random loopback
// port, a fresh migrated database (real PostgreSQL when DATABASE_URL is set, else embedded
// PGlite), and routes written through to the real Redis behind the Upstash-compatible
// endpoint. Any apps/api test (admin API, edge resolve, chat origin) can start one.
import { randomBytes, randomInt } from "node:crypto";
import type { AddressInfo } from "node:net";
import {
  type AppRouter,
  addMember,
  type BootstrappedAccount,
  bootstrapAccount,
  type DomainView,
  secretBoxFor,
} from "@botgate/api";
import { type RouteStore, UpstashDomainSetStore, UpstashNonceStore, UpstashRouteStore } from "@botgate/cache";
import { platformConfig, routeKey } from "@botgate/core";
import { createDatabaseClient } from "@botgate/db";
import { createTestDatabase, type TestDatabase } from "@botgate/db/testing";
import type { EgressPolicy } from "@botgate/egress";
import { type NonceStore, signForwardedRequest } from "@botgate/forwarding";
import { startUpstashRest, TEST_COMMANDS } from "@botgate/upstash-rest";
import {
  createTRPCClient,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
  TRPCClientError,
} from "@trpc/client";
import { Redis } from "@upstash/redis";
import superjson from "superjson";
import { expect } from "vitest";
import { createApp } from "../src/app.ts";
import { parseEnv } from "../src/env.ts";
import { serveApp } from "../src/http-server.ts";
import { openJobsOf, startWorkerOf } from "../src/jobs.ts";
import { openDirectRedis } from "../src/redis-direct.ts";
import { createProvisioning, type OpenProvisioning, type Runtime } from "../src/runtime.ts";
import { TestEventSource } from "./event-source.ts";

export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The platform every test server runs as: local, so URLs are http. */
export const TEST_ENV = {
  ENVIRONMENT: "local",
  PLATFORM_ROOT_DOMAIN: "botgate.localhost",
  // Deployments finish in one job run; tests of the statuses in between set their own delay.
  LOCAL_CERT_DELAY_MS: "0",
  JOBS_CONCURRENCY: "4",
} as const;

export interface TestServerOptions {
  /** More environment (e.g. DNS_RESOLVERS), parsed as the real process parses its own. */
  env?: Record<string, string>;
  /** Replaces the Redis-backed route store, e.g. with one whose Redis is unreachable. */
  routes?: RouteStore;
  /** Replaces the Redis-backed nonce store of signed forwards, e.g. with an unreachable one. */
  forwardNonces?: NonceStore;
  /** Replaces the Redis chat rate limits are counted in (null: in the process alone). */
  rateLimitRedis?: Redis | null;
  /** A migrated database of the test's own (e.g. one it stops and restarts); the test closes it. */
  database?: TestDatabase;
  /** Replaces the local provider, e.g. with the mocked AWS one (createAwsFake); the test closes it. */
  provisioning?: OpenProvisioning;
  /** Replaces the egress policy the env gives (e.g. with a resolver on a test DNS server). */
  egress?: EgressPolicy;
}

export interface TestServer {
  runtime: Runtime;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The route cache's Redis, read through the same Upstash endpoint the store writes to. */
  redis: Redis;
  close(): Promise<void>;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {});
  };
  try {
    const env = parseEnv({ ...TEST_ENV, ...options.env });
    const database = options.database ?? (await createTestDatabase());
    if (!options.database) closers.push(database.close);
    const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
    closers.push(() => db.$disconnect());
    // Every test database numbers chatbots from 1, but all share one Redis: start each at a
    // random offset so route keys (route:v1:id:<id>) of parallel test files never meet.
    await db.$executeRaw`SELECT setval('"ChatBot_id_seq"', ${randomInt(1_000, 1_000_000) * 1_000})`;

    const endpoint = await startUpstashRest({
      redisUrl: REDIS_URL,
      token: randomBytes(16).toString("hex"),
      // The product's commands plus the read-only inspection tests use (TTL, EXISTS, SCAN).
      commands: TEST_COMMANDS,
    });
    closers.push(endpoint.close);
    const redis = new Redis({ url: endpoint.url, token: endpoint.token });
    const config = platformConfig({ environment: env.ENVIRONMENT, rootDomain: env.PLATFORM_ROOT_DOMAIN });
    // Like the real process: a worker inline unless the test's env says JOBS_WORKER=off (its
    // jobs then stay queued, for a test to inspect or to run in a worker of its own).
    const provisioning = options.provisioning ?? (await createProvisioning(env, config));
    if (!options.provisioning) closers.push(provisioning.close);
    const jobs = await openJobsOf(env, db, env.JOBS_WORKER === "inline");
    closers.push(jobs.close);
    // As the real process: REDIS_URL's own connection, else the routing cache's REST client.
    const direct = env.REDIS_URL ? await openDirectRedis(env.REDIS_URL, closers) : null;
    const runtime: Runtime = {
      env,
      config,
      db,
      databaseUrl: database.url,
      databaseKind: database.kind,
      // A generous timeout: a loaded CI machine must not turn into missing keys.
      routes: options.routes ?? new UpstashRouteStore({ redis, timeoutMs: 2_000 }),
      routeCache: { kind: "upstash", url: endpoint.url, token: endpoint.token },
      edgeSecret: randomBytes(32).toString("hex"),
      forwardNonces:
        options.forwardNonces ?? direct?.nonces ?? new UpstashNonceStore({ redis, timeoutMs: 2_000 }),
      rateLimitRedis:
        options.rateLimitRedis !== undefined ? options.rateLimitRedis : (direct?.upstash ?? redis),
      provisioning,
      localDns: provisioning.localDns,
      secrets: secretBoxFor(undefined),
      // A key of this server's own: parallel test files share one Redis.
      verifiedDomains: new UpstashDomainSetStore({
        redis,
        timeoutMs: 2_000,
        scope: randomBytes(8).toString("hex"),
      }),
      jobs,
      worker: null,
      ...(options.egress === undefined ? {} : { egress: options.egress }),
      close,
    };
    if (env.JOBS_WORKER === "inline") runtime.worker = await startWorkerOf(runtime);

    const app = createApp(runtime);
    const { server, port } = await new Promise<{ server: ReturnType<typeof serveApp>; port: number }>(
      (resolve) => {
        const s = serveApp({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
          resolve({ server: s, port: info.port }),
        );
      },
    );
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          if ("closeAllConnections" in server) server.closeAllConnections();
        }),
    );
    return { runtime, url: `http://127.0.0.1:${port}`, redis, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export type AdminClient = TRPCClient<AppRouter>;

/**
 * A typed admin API client over HTTP. `token` is sent as `Bearer <token>`; `authorization`
 * sends a raw header instead (for malformed-header cases); neither sends no header at all.
 */
export function adminClient(
  server: TestServer,
  auth: { token: string } | { authorization: string } | null,
): AdminClient {
  const header = auth === null ? null : "token" in auth ? `Bearer ${auth.token}` : auth.authorization;
  const headers = (): Record<string, string> => (header === null ? {} : { authorization: header });
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        // Subscriptions over SSE, the same header on the stream's request.
        true: httpSubscriptionLink({
          url: `${server.url}/trpc`,
          transformer: superjson,
          EventSource: TestEventSource,
          eventSourceOptions: () => ({ headers: headers() }),
        }),
        false: httpLink({ url: `${server.url}/trpc`, transformer: superjson, headers }),
      }),
    ],
  });
}

let usernames = 0;
const uniqueUsername = (base: string) => `${base}${++usernames}`;

export interface TestUser extends BootstrappedAccount {
  client: AdminClient;
}

/** A new account with its admin, and a client authenticated as that admin. */
export async function createAccount(server: TestServer, username = "admin"): Promise<TestUser> {
  const account = await bootstrapAccount(server.runtime.db, { username: uniqueUsername(username) });
  return { ...account, client: adminClient(server, { token: account.token }) };
}

/** A new (non-admin unless asked) member of an account, with a client of their own. */
export async function createMember(
  server: TestServer,
  accountNumber: string,
  { username = "member", isAccountAdmin = false } = {},
): Promise<TestUser> {
  const member = await addMember(server.runtime.db, {
    accountNumber,
    username: uniqueUsername(username),
    isAccountAdmin,
  });
  return { ...member, client: adminClient(server, { token: member.token }) };
}

/** Asserts that a call fails with this tRPC error code, and answers the error. */
export async function expectTRPCError(call: Promise<unknown>, code: string) {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}, but the call succeeded`).toBeInstanceOf(TRPCClientError);
  const trpcError = error as TRPCClientError<AppRouter>;
  expect(trpcError.data?.code, trpcError.message).toBe(code);
  return trpcError;
}

/** Every key matching a pattern (SCAN, never KEYS: other suites share this Redis). */
export async function scanKeys(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, { match, count: 1_000 });
    keys.push(...batch);
    cursor = String(next);
  } while (cursor !== "0");
  return keys.sort();
}

/** GET /internal/resolve?target=<target> signed as the edge signs it (`host:<host>` or `id:<id>`). */
export async function resolveAsEdge(server: TestServer, target: string): Promise<Response> {
  const url = new URL(`${server.url}/internal/resolve`);
  url.searchParams.set("target", target);
  const headers = await signForwardedRequest(
    server.runtime.edgeSecret,
    { method: "GET", path: url.pathname + url.search, headers: new Headers(), body: new Uint8Array() },
    {},
  );
  return fetch(url, { headers });
}

export interface EdgeForward {
  chatbot: { id: number; hashedId: string };
  accountNumber: string;
  /** Below the chatbot's root, e.g. `v1/chat/completions` or `chat/`. */
  action: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  mode?: string;
  clientIp?: string;
}

/** A chat origin request signed as the edge signs a forward from a chatbot's public host. */
export async function forwardAsEdge(server: TestServer, forward: EdgeForward): Promise<Response> {
  const path = `/api/v1/chatbots/${forward.chatbot.hashedId}/${forward.action}`;
  const method = forward.method ?? "POST";
  const body = forward.body === undefined ? "" : JSON.stringify(forward.body);
  const headers = { "content-type": "application/json", ...forward.headers };
  const signed = await signForwardedRequest(
    server.runtime.edgeSecret,
    { method, path, headers: new Headers(headers), body: new TextEncoder().encode(body) },
    {
      chatbotId: String(forward.chatbot.id),
      mode: forward.mode ?? "default",
      accountNumber: forward.accountNumber,
      requestId: crypto.randomUUID(),
      clientIp: forward.clientIp ?? "203.0.113.9",
    },
  );
  return fetch(`${server.url}${path}`, {
    method,
    headers: { ...headers, ...signed },
    ...(method === "GET" ? {} : { body }),
  });
}

/** A verified custom domain of the user's account, written straight to the database (no DNS). */
export function verifiedDomainRow(server: TestServer, user: TestUser, domainName: string) {
  return server.runtime.db.chatBotCustomDomain.create({
    data: {
      domainName,
      isVerified: true,
      verificationToken: "t",
      userProfileId: user.userProfileId,
      accountId: user.accountId,
    },
  });
}

/** Polls until `done` holds (generous deadline: a loaded machine is slow, never wrong). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
  // Below the test timeout (60 s), so a wait that never ends fails showing what it last saw.
  timeoutMs = 50_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The domain once its zone exists (name servers known), as domain.get answers it. */
export function provisionedDomain(client: AdminClient, id: number): Promise<DomainView> {
  return waitFor(
    () => client.domain.get.query({ id }),
    (d) => d.status !== "Provisioning" || d.failureReason !== null,
    `domain ${id} provisioned`,
  );
}

/** The domain once a verification settled: verified, or waiting for DNS with a reason. */
export function settledDomain(client: AdminClient, id: number): Promise<DomainView> {
  return waitFor(
    () => client.domain.get.query({ id }),
    (d) =>
      d.status === "Verified" ||
      d.status === "Failed" ||
      (d.status === "AwaitingDns" && d.failureReason !== null),
    `domain ${id} settled`,
  );
}

/**
 * Makes the test DNS server delegate the domain to its zone and serve its ownership record,
 * as the customer's DNS would, then asks domain.verify and waits for the outcome.
 */
export async function verifyThroughDns(
  dns: { txt: Map<string, (string | string[])[]>; ns: Map<string, string[]> },
  client: AdminClient,
  id: number,
): Promise<DomainView> {
  const domain = await provisionedDomain(client, id);
  dns.ns.set(domain.domainName, domain.instructions.nameServers);
  dns.txt.set(domain.instructions.txtRecord.name, [domain.instructions.txtRecord.value]);
  await client.domain.verify.mutate({ id });
  return settledAfterRecordsSet(client, id);
}

/**
 * The outcome of the first check that sees DNS records the test has just set. A check that ran
 * before them (the one scheduled when the zone was provisioned) leaves its failure reason until
 * the next check replaces it: settledDomain alone could return that earlier outcome.
 */
export async function settledAfterRecordsSet(client: AdminClient, id: number): Promise<DomainView> {
  await waitFor(
    () => client.domain.get.query({ id }),
    (d) => d.status !== "AwaitingDns" || d.diagnostics.checks.every((c) => c.outcome === "match"),
    `domain ${id} checked`,
  );
  return settledDomain(client, id);
}

/** Polls for a condition with a generous deadline (a loaded 2-core machine is slow). */
export async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 60_000, intervalMs = 50, what = "the condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** chatbot.deploy, then chatbot.get until the deployment job made it ready. */
/**
 * Deploys and waits until chatbot.get says ready. With `routes` (tests that go through the
 * edge), also until the routing cache holds the ready record: it is written just after the
 * job's commit, and an edge request in between would meet (and keep in its L1) the old one.
 */
export async function deployAndWait(
  client: AdminClient,
  id: number,
  { routes }: { routes?: RouteStore } = {},
) {
  await client.chatbot.deploy.mutate({ id });
  return eventually(
    async () => {
      const chatbot = await client.chatbot.get.query({ id });
      if (!chatbot.ready) return null;
      if (routes === undefined) return chatbot;
      const entry = await routes.get(routeKey({ kind: "host", host: chatbot.defaultHost }));
      return entry?.found === true && entry.ready ? chatbot : null;
    },
    { what: `chatbot ${id} to be ready` },
  );
}
