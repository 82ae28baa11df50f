// The edge's tests run inside workerd (@cloudflare/vitest-plugin) with the root wrangler.toml,
// against a real API origin and the real Redis that test/node/global-setup.ts starts in Node.
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      wrangler: { configPath: fileURLToPath(new URL("../../wrangler.toml", import.meta.url)) },
      miniflare: {
        // Override wrangler.toml's local [vars] with the services globalSetup started.
        bindings: {
          ORIGIN_URL: inject("originUrl"),
          UPSTASH_REDIS_REST_URL: inject("upstashUrl"),
          UPSTASH_REDIS_REST_TOKEN: inject("upstashToken"),
          EDGE_SHARED_SECRET: inject("edgeSecret"),
          // Short L1 lifetimes keep "visible within the TTL" tests quick.
          ROUTE_CACHE_TTL_MS: "1000",
          ROUTE_NEGATIVE_TTL_MS: "1000",
          // A loaded 2-core machine can take longer than the production 150 ms to answer from
          // Redis; tests about a slow Redis set the production value themselves.
          ROUTE_STORE_TIMEOUT_MS: "1000",
          // Every test file asks for unknown hosts from the same (absent) client IP; the limit
          // itself is tested with bindings of its own (flood.security.test.ts).
          RESOLVE_MISS_LIMIT: "100000",
          // Likewise for chat rate limits (chat-limits.test.ts sets its own), and a Redis
          // timeout a loaded machine meets: a timed-out check would admit past the limit.
          RATE_LIMIT_REQUESTS: "1000000",
          RATE_LIMIT_CLIENT_REQUESTS: "1000000",
          RATE_LIMIT_TIMEOUT_MS: "1000",
        },
      },
    })),
  ],
  test: {
    name: "edge",
    include: ["test/**/*.test.ts"],
    globalSetup: ["./test/node/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
