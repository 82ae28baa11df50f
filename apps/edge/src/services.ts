// What one isolate keeps between requests: the parsed configuration, the Upstash client and
// the tiered route resolver (its L1 is the point of keeping it). Built lazily from the first
// request's bindings, never per request.

import { waitUntil } from "cloudflare:workers";
import { TieredRouteResolver, UpstashRouteStore } from "@botgate/cache";
import { NO_CLIENT_IP } from "@botgate/limits";
import { Redis } from "@upstash/redis/cloudflare";
import { type EdgeConfig, parseEdgeEnv } from "./env.ts";
import { ResolveMissLimiter } from "./miss-limiter.ts";
import { OriginClient } from "./origin.ts";
import { RequestClassifier } from "./resolve.ts";

export interface EdgeServices {
  config: EdgeConfig;
  classifier: RequestClassifier;
  origin: OriginClient;
  resolver: TieredRouteResolver;
}

function createServices(config: EdgeConfig): EdgeServices {
  const origin = new OriginClient(config);
  const redis =
    config.redis === null
      ? null
      : new Redis({
          url: config.redis.url,
          token: config.redis.token,
          // The store and the limiter give up after their timeouts; the client's own retries
          // (about 4 s of backoff by default) would only keep doomed calls running behind them.
          retry: false,
          enableTelemetry: false,
        });
  const store =
    redis === null ? undefined : new UpstashRouteStore({ redis, timeoutMs: config.routeStoreTimeoutMs });
  const missLimiter = new ResolveMissLimiter({
    limit: config.resolveMissLimit,
    windowSeconds: config.resolveMissWindowS,
    redis,
    timeoutMs: config.routeStoreTimeoutMs,
  });
  const resolver = new TieredRouteResolver({
    ...(store && { store }),
    loadFromOrigin: (target) => origin.resolve(target),
    admitOriginLookup: (_target, caller) => missLimiter.admit(caller ?? NO_CLIENT_IP),
    // The request-scoped waitUntil of cloudflare:workers: the resolver lives longer than any
    // request, so it cannot hold one request's ctx.
    waitUntil,
    positiveTtlMs: config.routeCacheTtlMs,
    negativeTtlMs: config.routeNegativeTtlMs,
  });
  return { config, classifier: new RequestClassifier(config.platform), origin, resolver };
}

let current: { bindings: unknown; fingerprint: string; services: EdgeServices } | undefined;

/**
 * The isolate's services for these bindings. workerd passes the same env object to every
 * request of an isolate, so this is one identity check; different bindings (tests that call
 * the worker with their own env) get services of their own.
 */
export function servicesFor(bindings: unknown): EdgeServices {
  if (current !== undefined && current.bindings === bindings) return current.services;
  const config = parseEdgeEnv(bindings);
  const fingerprint = JSON.stringify(config);
  const services =
    current !== undefined && current.fingerprint === fingerprint ? current.services : createServices(config);
  current = { bindings, fingerprint, services };
  return services;
}
