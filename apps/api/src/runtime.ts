// Everything the API process holds for its lifetime, built once from the parsed env:
// the database (embedded when DATABASE_URL is absent), the routing cache it writes
// through to, and the platform's domain configuration.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import {
  backfillHostLabels,
  DEFAULT_WEBHOOK_SETTINGS,
  type SecretBox,
  secretBoxFor,
  type WebhookSettings,
} from "@botgate/api";
import {
  type DomainSetStore,
  MemoryDomainSetStore,
  MemoryNonceStore,
  MemoryRouteStore,
  type RouteStore,
  UpstashDomainSetStore,
  UpstashNonceStore,
  UpstashRouteStore,
} from "@botgate/cache";
import { type PlatformConfig, platformConfig } from "@botgate/core";
import { createDatabaseClient, type DatabaseClient, migrate, startEmbeddedPostgres } from "@botgate/db";
import type { EgressPolicy } from "@botgate/egress";
import { edgeSecretFor, edgeSecretSetting, isDevelopmentSetup, type NonceStore } from "@botgate/forwarding";
import type { Jobs, Worker } from "@botgate/jobs";
import { createProvisioning as openProvisioning, type Provisioning } from "@botgate/provisioning";
import { startUpstashRest } from "@botgate/upstash-rest";
import { Redis } from "@upstash/redis";
import { type Env, provisioningSettings } from "./env.ts";
import { openJobsOf, startWorkerOf } from "./jobs.ts";
import { dataDirectory, newOperatorToken } from "./operator/endpoint-file.ts";
import { openDirectRedis } from "./redis-direct.ts";

export interface Runtime {
  env: Env;
  config: PlatformConfig;
  db: DatabaseClient;
  databaseUrl: string;
  databaseKind: "postgres" | "embedded";
  routes: RouteStore;
  /** Where the edge reads routes (null: in-memory only, the edge must ask the origin). */
  routeCache: { kind: "upstash" | "memory"; url: string | null; token: string | null };
  edgeSecret: string;
  /** Nonces of verified edge forwards (replay guard): in the route cache's Redis, else in memory. */
  forwardNonces: NonceStore;
  /**
   * Where chat rate limits are counted (@upstash/ratelimit): REDIS_URL's connection, else the
   * routing cache's REST client; null: in this process alone (a development setup).
   */
  rateLimitRedis: Redis | null;
  /** DNS, certificates and hosted zones (PROVISIONING): local, or AWS (Route53, ACM). */
  provisioning: Provisioning;
  /** With PROVISIONING=local: the embedded DNS server, `dig @<host> -p <port> <name>`. */
  localDns: { host: string; port: number } | null;
  /** Seals provider API keys and webhook secrets at rest (SECRETS_ENCRYPTION_KEY). */
  secrets: SecretBox;
  /** The cached set of verified custom domains, next to the routes. */
  verifiedDomains: DomainSetStore;
  /** The durable job queue (pg-boss on this database, schema `pgboss`). */
  jobs: Jobs;
  /** The job worker of this process (JOBS_WORKER=inline), else null. */
  worker: Worker | null;
  /**
   * Where requests to customer-chosen URLs (account provider records) may go; absent: from
   * the env (egressPolicyOf). Tests set one with a resolver of their own.
   */
  egress?: EgressPolicy;
  /**
   * With the embedded database only: the token of POST /operator/commands, through which the
   * CLI runs its commands here (it cannot open the database this process holds).
   */
  operatorToken?: string;
  close(): Promise<void>;
}

export interface OpenDatabase {
  url: string;
  kind: "postgres" | "embedded";
  /** Pool size (the embedded database serves one connection). */
  maxConnections: number;
  close(): Promise<void>;
}

/**
 * DATABASE_URL, or the embedded Postgres persisted under DATA_DIR. Pending migrations are
 * applied when MIGRATE_ON_START says so (by default: only for the embedded database;
 * production runs `prisma migrate deploy`).
 */
export async function openDatabase(env: Env): Promise<OpenDatabase> {
  const database: OpenDatabase = env.DATABASE_URL
    ? { url: env.DATABASE_URL, kind: "postgres", maxConnections: 10, close: async () => {} }
    : {
        ...(await startEmbeddedPostgres({ dataDir: join(dataDirectory(env), "pglite") })),
        kind: "embedded",
      };
  try {
    if (env.MIGRATE_ON_START ?? database.kind === "embedded") await migrate(database.url);
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}

export async function createRuntime(env: Env): Promise<Runtime> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await fn().catch(() => {});
  };
  try {
    const database = await openDatabase(env);
    closers.push(database.close);
    const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
    closers.push(() => db.$disconnect());

    const { routes, routeCache, verifiedDomains, redis } = await createRouteStore(env, closers);
    const { forwardNonces, rateLimitRedis } = await openHotPathRedis(env, redis, closers);
    const config = platformConfigOf(env);
    // Before serving: routing looks chatbots up by their stored host label (see host-names.ts).
    await backfillHostLabels({ db, routes, config, logger: console });
    const provisioning = await createProvisioning(env, config, {
      stateDir: join(dataDirectory(env), "provisioning"),
    });
    closers.push(provisioning.close);
    // Closed before the database (closers run in reverse): running jobs finish first.
    const jobs = await openJobsOf(env, db, env.JOBS_WORKER === "inline");
    closers.push(jobs.close);
    const runtime: Runtime = {
      env,
      config,
      db,
      databaseUrl: database.url,
      databaseKind: database.kind,
      routes,
      routeCache,
      // The development secret only in a development setup (env.ts refuses the rest already).
      edgeSecret: edgeSecretFor(edgeSecretSetting(env)),
      forwardNonces,
      rateLimitRedis,
      provisioning,
      localDns: provisioning.localDns,
      secrets: secretBoxFor(env.SECRETS_ENCRYPTION_KEY),
      verifiedDomains,
      jobs,
      worker: null,
      ...(database.kind === "embedded" ? { operatorToken: newOperatorToken() } : {}),
      close,
    };
    if (env.JOBS_WORKER === "inline") runtime.worker = await startWorkerOf(runtime);
    return runtime;
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Outbound requests to customer-chosen URLs: http and private/loopback addresses only in a
 * development setup (ENVIRONMENT=local on .localhost domains, or BOTGATE_DEV), as for webhooks.
 */
export function egressPolicyOf(runtime: Pick<Runtime, "env" | "egress">): EgressPolicy {
  return runtime.egress ?? { development: isDevelopmentSetup(edgeSecretSetting(runtime.env)) };
}

/** Webhook delivery settings: http and private receivers only in a development setup. */
export function webhookSettingsOf(env: Env): WebhookSettings {
  return {
    development: isDevelopmentSetup(edgeSecretSetting(env)),
    timeoutMs: env.WEBHOOK_TIMEOUT_SECONDS * 1_000,
    disableAfterMs: env.WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
    schedule: env.WEBHOOK_RETRY_DELAYS_SECONDS
      ? { delaysMs: env.WEBHOOK_RETRY_DELAYS_SECONDS.map((s) => s * 1_000), jitter: 0.1 }
      : DEFAULT_WEBHOOK_SETTINGS.schedule,
    retentionMs: env.WEBHOOK_DELIVERY_RETENTION_DAYS * 86_400_000,
  };
}

export function platformConfigOf(env: Env): PlatformConfig {
  return platformConfig({
    environment: env.ENVIRONMENT,
    rootDomain: env.PLATFORM_ROOT_DOMAIN,
    apiDomain: env.API_DOMAIN,
    platformDomain: env.PLATFORM_DOMAIN,
    port: env.PUBLIC_PORT,
  });
}

/**
 * The routing cache the environment names (the API's, and the operator CLI's for write-through),
 * with its REST client (null: memory).
 */
export async function createRouteStore(env: Env, closers: (() => Promise<void>)[]) {
  if (env.UPSTASH_REDIS_REST_URL && env.UPSTASH_REDIS_REST_TOKEN) {
    const redis = new Redis({ url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN });
    return {
      redis,
      routes: new UpstashRouteStore({ redis }) as RouteStore,
      verifiedDomains: new UpstashDomainSetStore({ redis }) as DomainSetStore,
      routeCache: {
        kind: "upstash",
        url: env.UPSTASH_REDIS_REST_URL,
        token: env.UPSTASH_REDIS_REST_TOKEN,
      } as const,
    };
  }
  if (env.REDIS_URL) {
    const endpoint = await startUpstashRest({
      redisUrl: env.REDIS_URL,
      token: randomBytes(24).toString("hex"),
    });
    closers.push(endpoint.close);
    const redis = new Redis({ url: endpoint.url, token: endpoint.token });
    return {
      redis,
      routes: new UpstashRouteStore({ redis }) as RouteStore,
      verifiedDomains: new UpstashDomainSetStore({ redis }) as DomainSetStore,
      routeCache: { kind: "upstash", url: endpoint.url, token: endpoint.token } as const,
    };
  }
  return {
    redis: null,
    routes: new MemoryRouteStore() as RouteStore,
    verifiedDomains: new MemoryDomainSetStore() as DomainSetStore,
    routeCache: { kind: "memory", url: null, token: null } as const,
  };
}

/**
 * Where the origin claims forward nonces and counts chat rate limits, on every forwarded chat
 * request: over its own TCP connection where REDIS_URL is set (redis-direct.ts), else through
 * the routing cache's REST client, else in this process alone.
 */
async function openHotPathRedis(
  env: Env,
  redis: Redis | null,
  closers: (() => Promise<void>)[],
): Promise<{ forwardNonces: NonceStore; rateLimitRedis: Redis | null }> {
  if (env.REDIS_URL) {
    const direct = await openDirectRedis(env.REDIS_URL, closers);
    return { forwardNonces: direct.nonces, rateLimitRedis: direct.upstash };
  }
  return redis === null
    ? { forwardNonces: new MemoryNonceStore(), rateLimitRedis: null }
    : { forwardNonces: new UpstashNonceStore({ redis }), rateLimitRedis: redis };
}

export interface OpenProvisioning extends Provisioning {
  localDns: { host: string; port: number } | null;
  close(): Promise<void>;
}

/**
 * The providers PROVISIONING names (settings from env.ts, validated at start). `aws`: Route53 and
 * ACM clients, no network call until a job runs. `local`: the embedded authoritative DNS server
 * (on LOCAL_DNS_PORT) and the local CA, their state under `stateDir` (absent: memory only, for
 * tests); checks ask that server unless DNS_RESOLVERS says otherwise.
 */
export async function createProvisioning(
  env: Env,
  config: PlatformConfig,
  options: { stateDir?: string } = {},
): Promise<OpenProvisioning> {
  const opened = await openProvisioning(provisioningSettings(env, config, options.stateDir));
  return {
    kind: opened.kind,
    dns: opened.dns,
    certificates: opened.certificates,
    checker: opened.checker,
    localDns: hostAndPort(opened.localDnsServer),
    close: opened.close,
  };
}

/** `host:port` or `[ipv6]:port` (the embedded server's address) as its two parts. */
function hostAndPort(address: string | null): { host: string; port: number } | null {
  const match = address === null ? null : /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match?.[1] === undefined ? null : { host: match[1], port: Number(match[2]) };
}
