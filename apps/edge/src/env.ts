// The worker's bindings (wrangler.toml [vars] and `wrangler secret put`), validated once per
// isolate (services.ts). A bad configuration answers every request with a 500 that names
// nothing, and the log line of each says which bindings are wrong.
import { BotgateError, PLATFORM_ENVIRONMENTS, type PlatformConfig, platformConfig } from "@botgate/core";
import {
  DEVELOPMENT_SETUP,
  edgeSecretFor,
  edgeSecretProblem,
  edgeSecretSetting,
  isDevelopmentSetup,
} from "@botgate/forwarding";
// zod/mini: the same validation as zod with a tree-shakable API; the classic build alone
// would triple the worker's bundle.
import * as z from "zod/mini";

const optionalString = z.optional(
  z.pipe(
    z.string(),
    z.transform((v) => (v.trim() === "" ? undefined : v.trim())),
  ),
);

const httpUrl = z.url({ protocol: /^https?$/ });

/** `--var BOTGATE_DEV:1` or a TOML boolean. */
const flag = z.optional(
  z.pipe(
    z.union([z.boolean(), z.enum(["true", "false", "1", "0", ""])]),
    z.transform((v) => v === true || v === "true" || v === "1"),
  ),
);

/** Vars may be strings (`--var`, dashboard) or TOML numbers. */
const positiveInt = (fallback: number, max: number) =>
  z._default(z.pipe(z.coerce.number(), z.int().check(z.gte(1), z.lte(max))), fallback);
const milliseconds = positiveInt;

export const bindingsSchema = z
  .object({
    ENVIRONMENT: z._default(z.enum(PLATFORM_ENVIRONMENTS), "local"),
    PLATFORM_ROOT_DOMAIN: z.string().check(z.trim(), z.minLength(1)),
    /** Overrides of the derived API and platform (sandbox) domains, as in the API's env. */
    API_DOMAIN: optionalString,
    PLATFORM_DOMAIN: optionalString,
    /** The API process: chat origin and /internal/resolve; https outside a development setup. */
    ORIGIN_URL: httpUrl,
    /** Signs every request to the origin; a secret (`wrangler secret put`) outside development. */
    EDGE_SHARED_SECRET: optionalString,
    /** A development machine: the built-in secret and an http origin with ENVIRONMENT=local. */
    BOTGATE_DEV: flag,
    /** Both absent: no shared cache, the isolate's L1 and the origin only. */
    UPSTASH_REDIS_REST_URL: z.optional(httpUrl),
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    /** L1 (per isolate) lifetime of a found route: how long an admin change may take to show. */
    ROUTE_CACHE_TTL_MS: milliseconds(5_000, 60_000),
    /** L1 lifetime of an unknown host or id. */
    ROUTE_NEGATIVE_TTL_MS: milliseconds(2_000, 60_000),
    /** Past this, a Redis call counts as failed and the origin is asked instead. */
    ROUTE_STORE_TIMEOUT_MS: milliseconds(150, 5_000),
    /** Time allowed for /internal/resolve to answer. */
    RESOLVE_TIMEOUT_MS: milliseconds(3_000, 30_000),
    /** Time allowed for a forwarded request's response headers (a stream may then run longer). */
    ORIGIN_TIMEOUT_MS: milliseconds(30_000, 300_000),
    /** Origin lookups one client may cause for targets neither L1 nor Redis knows, per window. */
    RESOLVE_MISS_LIMIT: positiveInt(60, 100_000),
    /** That window, in seconds (a sliding window). */
    RESOLVE_MISS_WINDOW_S: positiveInt(60, 86_400),
  })
  .check(
    z.superRefine((env, ctx) => {
      if (env.UPSTASH_REDIS_REST_URL !== undefined && env.UPSTASH_REDIS_REST_TOKEN === undefined) {
        ctx.addIssue({
          code: "custom",
          input: env,
          path: ["UPSTASH_REDIS_REST_TOKEN"],
          message: "required when UPSTASH_REDIS_REST_URL is set",
        });
      }
      // The same rule as the API's env.ts (@botgate/forwarding), so the two cannot drift.
      const setting = edgeSecretSetting(env);
      const secretProblem = edgeSecretProblem(setting);
      if (secretProblem !== null) {
        ctx.addIssue({ code: "custom", input: env, path: ["EDGE_SHARED_SECRET"], message: secretProblem });
      }
      // Signed forwards carry credentials and chat content: plain http only on a dev machine.
      if (!isDevelopmentSetup(setting) && !env.ORIGIN_URL.startsWith("https:")) {
        ctx.addIssue({
          code: "custom",
          input: env,
          path: ["ORIGIN_URL"],
          message: `must be https outside a development setup (${DEVELOPMENT_SETUP})`,
        });
      }
    }),
  );

export interface EdgeConfig {
  platform: PlatformConfig;
  originUrl: string;
  secret: string;
  redis: { url: string; token: string } | null;
  routeCacheTtlMs: number;
  routeNegativeTtlMs: number;
  routeStoreTimeoutMs: number;
  resolveTimeoutMs: number;
  originTimeoutMs: number;
  resolveMissLimit: number;
  resolveMissWindowS: number;
}

/** Clients learn that the edge is misconfigured; the log (the error's cause) learns what is wrong. */
function misconfigured(problems: string): BotgateError {
  const error = new BotgateError("INTERNAL", "The edge is misconfigured.");
  error.cause = `invalid bindings: ${problems}`;
  return error;
}

/** @throws BotgateError("INTERNAL") whose cause lists every invalid binding (names, never values). */
export function parseEdgeEnv(bindings: unknown): EdgeConfig {
  const result = bindingsSchema.safeParse(bindings);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(env)"}: ${i.message}`);
    throw misconfigured(problems.join("; "));
  }
  const env = result.data;
  let platform: PlatformConfig;
  try {
    platform = platformConfig({
      environment: env.ENVIRONMENT,
      rootDomain: env.PLATFORM_ROOT_DOMAIN,
      apiDomain: env.API_DOMAIN,
      platformDomain: env.PLATFORM_DOMAIN,
    });
  } catch (error) {
    // platformConfig() says BAD_REQUEST; for the edge's own configuration that is a server fault.
    throw misconfigured((error as Error).message);
  }
  return {
    platform,
    originUrl: env.ORIGIN_URL.replace(/\/+$/, ""),
    secret: edgeSecretFor(edgeSecretSetting(env)),
    redis:
      env.UPSTASH_REDIS_REST_URL !== undefined && env.UPSTASH_REDIS_REST_TOKEN !== undefined
        ? { url: env.UPSTASH_REDIS_REST_URL, token: env.UPSTASH_REDIS_REST_TOKEN }
        : null,
    routeCacheTtlMs: env.ROUTE_CACHE_TTL_MS,
    routeNegativeTtlMs: env.ROUTE_NEGATIVE_TTL_MS,
    routeStoreTimeoutMs: env.ROUTE_STORE_TIMEOUT_MS,
    resolveTimeoutMs: env.RESOLVE_TIMEOUT_MS,
    originTimeoutMs: env.ORIGIN_TIMEOUT_MS,
    resolveMissLimit: env.RESOLVE_MISS_LIMIT,
    resolveMissWindowS: env.RESOLVE_MISS_WINDOW_S,
  };
}
