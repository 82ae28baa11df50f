// The worker's bindings, parsed once per isolate: defaults, coercion, and refusals.
import { BotgateError } from "@botgate/core";
import { LOCAL_DEVELOPMENT_SECRET } from "@botgate/forwarding";
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseEdgeEnv } from "../src/env.ts";
import { edgeWith, expectError } from "./helpers.ts";

const SECRET = "s".repeat(32);
const minimal = {
  PLATFORM_ROOT_DOMAIN: "example.com",
  ORIGIN_URL: "https://origin.example.com/",
  EDGE_SHARED_SECRET: SECRET,
};
/** What `wrangler dev` and the edge tests run with (wrangler.toml's [vars]). */
const development = {
  ENVIRONMENT: "local",
  PLATFORM_ROOT_DOMAIN: "botgate.localhost",
  ORIGIN_URL: "http://127.0.0.1:8788",
};

function refusal(bindings: Record<string, unknown>): BotgateError {
  try {
    parseEdgeEnv(bindings);
  } catch (error) {
    if (error instanceof BotgateError) return error;
    throw error;
  }
  throw new Error("accepted");
}

describe("parseEdgeEnv", () => {
  it("fills in local defaults: no Redis, production lifetimes", () => {
    const config = parseEdgeEnv(minimal);
    expect(config).toMatchObject({
      originUrl: "https://origin.example.com",
      secret: SECRET,
      redis: null,
      routeCacheTtlMs: 5_000,
      routeNegativeTtlMs: 2_000,
      routeStoreTimeoutMs: 150,
      resolveMissLimit: 60,
      resolveMissWindowS: 60,
    });
    expect(config.platform).toMatchObject({
      apiDomain: "api.local.example.com",
      platformDomain: "platform.local.example.com",
    });
  });

  it("takes numbers as strings (--var) or TOML numbers, and domain overrides", () => {
    const config = parseEdgeEnv({
      ...minimal,
      ENVIRONMENT: "prod",
      API_DOMAIN: "bots.example.com",
      ROUTE_CACHE_TTL_MS: 750,
      ROUTE_NEGATIVE_TTL_MS: "250",
      RESOLVE_MISS_LIMIT: 1000,
      RESOLVE_MISS_WINDOW_S: "10",
      UPSTASH_REDIS_REST_URL: "https://redis.example.com",
      UPSTASH_REDIS_REST_TOKEN: "token",
    });
    expect(config).toMatchObject({
      routeCacheTtlMs: 750,
      routeNegativeTtlMs: 250,
      resolveMissLimit: 1000,
      resolveMissWindowS: 10,
      redis: { token: "token" },
    });
    expect(config.platform).toMatchObject({ environment: "prod", apiDomain: "bots.example.com" });
  });

  it.each([
    ["no origin", { PLATFORM_ROOT_DOMAIN: "example.com", EDGE_SHARED_SECRET: SECRET }, "ORIGIN_URL"],
    ["a non-http origin", { ...minimal, ORIGIN_URL: "ftp://origin.example.com" }, "ORIGIN_URL"],
    [
      "a Redis URL without token",
      { ...minimal, UPSTASH_REDIS_REST_URL: "https://r.example.com" },
      "UPSTASH_REDIS_REST_TOKEN",
    ],
    [
      "a short secret outside local",
      { ...minimal, ENVIRONMENT: "prod", EDGE_SHARED_SECRET: "short" },
      "EDGE_SHARED_SECRET",
    ],
    ["an unknown environment", { ...minimal, ENVIRONMENT: "staging" }, "ENVIRONMENT"],
    ["a zero lifetime", { ...minimal, ROUTE_CACHE_TTL_MS: "0" }, "ROUTE_CACHE_TTL_MS"],
    ["an invalid root domain", { ...minimal, PLATFORM_ROOT_DOMAIN: "not a domain" }, "rootDomain"],
    ["a zero miss limit", { ...minimal, RESOLVE_MISS_LIMIT: "0" }, "RESOLVE_MISS_LIMIT"],
  ])("refuses %s, as INTERNAL naming the binding only in the cause", (_, bindings, name) => {
    const error = refusal(bindings);
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toBe("The edge is misconfigured.");
    expect(String(error.cause)).toContain(name);
  });
});

describe("the edge secret and the origin's scheme", () => {
  it("uses the public development secret for ENVIRONMENT=local on a .localhost root", () => {
    expect(parseEdgeEnv(development).secret).toBe(LOCAL_DEVELOPMENT_SECRET);
    expect(parseEdgeEnv({ ...development, PLATFORM_ROOT_DOMAIN: "localhost" }).secret).toBe(
      LOCAL_DEVELOPMENT_SECRET,
    );
  });

  it("uses the development secret on another root only with BOTGATE_DEV, and never outside local", () => {
    const devMachine = { ...development, PLATFORM_ROOT_DOMAIN: "dev.example.com" };
    expect(parseEdgeEnv({ ...devMachine, BOTGATE_DEV: "1" }).secret).toBe(LOCAL_DEVELOPMENT_SECRET);
    expect(parseEdgeEnv({ ...devMachine, BOTGATE_DEV: true }).secret).toBe(LOCAL_DEVELOPMENT_SECRET);
    expect(String(refusal(devMachine).cause)).toContain("EDGE_SHARED_SECRET");
    expect(String(refusal({ ...devMachine, ENVIRONMENT: "prod", BOTGATE_DEV: "1" }).cause)).toContain(
      "EDGE_SHARED_SECRET",
    );
  });

  it("takes a configured secret of any length in development, and 32 characters elsewhere", () => {
    expect(parseEdgeEnv({ ...development, EDGE_SHARED_SECRET: "short" }).secret).toBe("short");
    expect(parseEdgeEnv({ ...minimal, ENVIRONMENT: "prod" }).secret).toBe(SECRET);
  });

  it.each([
    [
      "a missing ENVIRONMENT and secret on a public root",
      { PLATFORM_ROOT_DOMAIN: "example.com", ORIGIN_URL: "https://origin.example.com" },
      "EDGE_SHARED_SECRET",
    ],
    [
      "ENVIRONMENT=local without a secret on a public root",
      { ...development, PLATFORM_ROOT_DOMAIN: "example.com", ORIGIN_URL: "https://origin.example.com" },
      "EDGE_SHARED_SECRET",
    ],
    [
      "a .localhost root whose API domain is public, without a secret",
      { ...development, API_DOMAIN: "api.example.com" },
      "EDGE_SHARED_SECRET",
    ],
    ["a short secret in prod", { ...minimal, ENVIRONMENT: "prod", EDGE_SHARED_SECRET: "x".repeat(31) }, "32"],
    [
      "the public development secret in prod",
      { ...minimal, ENVIRONMENT: "prod", EDGE_SHARED_SECRET: LOCAL_DEVELOPMENT_SECRET },
      "development secret",
    ],
    [
      "an http origin in prod",
      { ...minimal, ENVIRONMENT: "prod", ORIGIN_URL: "http://origin.example.com" },
      "ORIGIN_URL",
    ],
    [
      "an http origin on a public root",
      { ...minimal, ORIGIN_URL: "http://origin.example.com" },
      "ORIGIN_URL",
    ],
  ])("refuses %s", (_, bindings, reason) => {
    const error = refusal(bindings);
    expect(error.message).toBe("The edge is misconfigured.");
    expect(String(error.cause)).toContain(reason);
  });
});

describe("a worker started without a secret outside development", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answers every request with the misconfigured 500 and logs which binding is wrong", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const bindings = {
      ENVIRONMENT: undefined,
      EDGE_SHARED_SECRET: undefined,
      PLATFORM_ROOT_DOMAIN: "example.com",
      ORIGIN_URL: "https://origin.example.com",
    };
    for (const [url, init] of [
      ["https://support.1000-0000-0001.api.example.com/", undefined],
      ["https://api.example.com/api/v1/chatbots/1/config/", undefined],
      ["https://chat.customer.example.net/chat/", { method: "POST", body: "{}" }],
    ] as const) {
      const error = await expectError(await edgeWith(bindings, url, init), 500, "INTERNAL");
      expect(error.message).toBe("The edge is misconfigured.");
      expect(error.details).toBeUndefined();
    }
    const logged = log.mock.calls.map((call) => call.map(String).join(" ")).join("\n");
    expect(logged).toContain("EDGE_SHARED_SECRET");
    expect(logged).not.toContain(LOCAL_DEVELOPMENT_SECRET);
  });
});
