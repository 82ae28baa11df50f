// The worker's bindings, parsed once per isolate: defaults, coercion, and refusals.
import { BotgateError } from "@botgate/core";
import { LOCAL_DEVELOPMENT_SECRET } from "@botgate/forwarding";
import { describe, expect, it } from "vitest";
import { parseEdgeEnv } from "../src/env.ts";

const minimal = { PLATFORM_ROOT_DOMAIN: "example.com", ORIGIN_URL: "https://origin.example.com/" };

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
  it("fills in local defaults: no Redis, the local secret, production lifetimes", () => {
    const config = parseEdgeEnv(minimal);
    expect(config).toMatchObject({
      originUrl: "https://origin.example.com",
      secret: LOCAL_DEVELOPMENT_SECRET,
      redis: null,
      routeCacheTtlMs: 5_000,
      routeNegativeTtlMs: 2_000,
      routeStoreTimeoutMs: 150,
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
      EDGE_SHARED_SECRET: "s".repeat(32),
      API_DOMAIN: "bots.example.com",
      ROUTE_CACHE_TTL_MS: 750,
      ROUTE_NEGATIVE_TTL_MS: "250",
      UPSTASH_REDIS_REST_URL: "https://redis.example.com",
      UPSTASH_REDIS_REST_TOKEN: "token",
    });
    expect(config).toMatchObject({
      routeCacheTtlMs: 750,
      routeNegativeTtlMs: 250,
      redis: { token: "token" },
    });
    expect(config.platform).toMatchObject({ environment: "prod", apiDomain: "bots.example.com" });
  });

  it.each([
    ["no origin", { PLATFORM_ROOT_DOMAIN: "example.com" }, "ORIGIN_URL"],
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
  ])("refuses %s, as INTERNAL naming the binding only in the cause", (_, bindings, name) => {
    const error = refusal(bindings);
    expect(error.code).toBe("INTERNAL");
    expect(error.message).toBe("The edge is misconfigured.");
    expect(String(error.cause)).toContain(name);
  });
});
