// Types for the workerd tests: the worker's main module (for `exports.default`) and the
// bindings vitest.config.mts sets.
declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import("../src/index.ts");
  }
  interface Env {
    ENVIRONMENT: string;
    PLATFORM_ROOT_DOMAIN: string;
    ORIGIN_URL: string;
    UPSTASH_REDIS_REST_URL?: string;
    UPSTASH_REDIS_REST_TOKEN?: string;
    EDGE_SHARED_SECRET: string;
    ROUTE_CACHE_TTL_MS: string;
    ROUTE_NEGATIVE_TTL_MS: string;
    ROUTE_STORE_TIMEOUT_MS: string;
    RESOLVE_MISS_LIMIT: string;
    RESOLVE_MISS_WINDOW_S: string;
  }
}
