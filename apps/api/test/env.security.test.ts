// The API's configuration refuses to sign with the public development secret anywhere but a
// development setup, as the edge does (both apply @botgate/forwarding's edgeSecretProblem).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase } from "@botgate/db/testing";
import { LOCAL_DEVELOPMENT_SECRET } from "@botgate/forwarding";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "../src/env.ts";
import { createRuntime } from "../src/runtime.ts";

const SECRET = "0123456789abcdef0123456789abcdef";
const SECRETS_KEY = "ab".repeat(32);

function refusal(source: Record<string, string>): string {
  try {
    parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

describe("SECRETS_ENCRYPTION_KEY", () => {
  const prod = { ENVIRONMENT: "prod", PLATFORM_ROOT_DOMAIN: "example.com", EDGE_SHARED_SECRET: SECRET };

  it("is required outside a development setup, and must be 32 bytes", () => {
    expect(refusal(prod)).toMatch(/^invalid environment:\n {2}SECRETS_ENCRYPTION_KEY: required/);
    expect(refusal({ ...prod, SECRETS_ENCRYPTION_KEY: "too-short" })).toMatch(
      /SECRETS_ENCRYPTION_KEY: must be 32 bytes/,
    );
    expect(refusal({ SECRETS_ENCRYPTION_KEY: "ab".repeat(31) })).toMatch(
      /SECRETS_ENCRYPTION_KEY: must be 32 bytes/,
    );
  });

  it("is optional in a development setup, and accepted as hex or base64 anywhere", () => {
    expect(parseEnv({}).SECRETS_ENCRYPTION_KEY).toBeUndefined();
    expect(parseEnv({ ...prod, SECRETS_ENCRYPTION_KEY: SECRETS_KEY }).SECRETS_ENCRYPTION_KEY).toBe(
      SECRETS_KEY,
    );
    const base64 = Buffer.from(SECRETS_KEY, "hex").toString("base64");
    expect(parseEnv({ ...prod, SECRETS_ENCRYPTION_KEY: base64 }).SECRETS_ENCRYPTION_KEY).toBe(base64);
  });
});

describe("EDGE_SHARED_SECRET", () => {
  it.each([
    ["a missing ENVIRONMENT and secret on a public root", { PLATFORM_ROOT_DOMAIN: "example.com" }],
    [
      "ENVIRONMENT=local without a secret on a public root",
      { ENVIRONMENT: "local", PLATFORM_ROOT_DOMAIN: "example.com" },
    ],
    ["a .localhost root with a public API domain", { API_DOMAIN: "api.example.com" }],
    ["a missing secret in prod", { ENVIRONMENT: "prod", PLATFORM_ROOT_DOMAIN: "example.com" }],
    [
      "a short secret in prod",
      { ENVIRONMENT: "prod", PLATFORM_ROOT_DOMAIN: "example.com", EDGE_SHARED_SECRET: SECRET.slice(1) },
    ],
    [
      "the public development secret in prod",
      {
        ENVIRONMENT: "prod",
        PLATFORM_ROOT_DOMAIN: "example.com",
        EDGE_SHARED_SECRET: LOCAL_DEVELOPMENT_SECRET,
      },
    ],
    [
      "BOTGATE_DEV outside ENVIRONMENT=local",
      { ENVIRONMENT: "beta", PLATFORM_ROOT_DOMAIN: "example.com", BOTGATE_DEV: "1" },
    ],
  ])("refuses %s, naming the variable", (_, source) => {
    expect(refusal(source)).toMatch(/^invalid environment:\n {2}EDGE_SHARED_SECRET: /);
  });

  it("accepts 32 characters or more outside development", () => {
    expect(
      parseEnv({
        ENVIRONMENT: "prod",
        PLATFORM_ROOT_DOMAIN: "example.com",
        EDGE_SHARED_SECRET: SECRET,
        SECRETS_ENCRYPTION_KEY: SECRETS_KEY,
      }).EDGE_SHARED_SECRET,
    ).toBe(SECRET);
  });

  it("accepts no secret with ENVIRONMENT=local on a .localhost root, or with BOTGATE_DEV=1", () => {
    expect(() => parseEnv({})).not.toThrow();
    expect(() => parseEnv({ ENVIRONMENT: "local", PLATFORM_ROOT_DOMAIN: "localhost" })).not.toThrow();
    expect(() => parseEnv({ PLATFORM_ROOT_DOMAIN: "dev.example.com", BOTGATE_DEV: "1" })).not.toThrow();
  });

  it("signs with the development secret in a development setup, and with the configured one elsewhere", async () => {
    const database = await createTestDatabase();
    try {
      const base = { DATABASE_URL: database.url, MIGRATE_ON_START: "false" };
      for (const [source, secret] of [
        [{ ENVIRONMENT: "local", PLATFORM_ROOT_DOMAIN: "botgate.localhost" }, LOCAL_DEVELOPMENT_SECRET],
        [
          {
            ENVIRONMENT: "prod",
            PLATFORM_ROOT_DOMAIN: "example.com",
            EDGE_SHARED_SECRET: SECRET,
            SECRETS_ENCRYPTION_KEY: SECRETS_KEY,
          },
          SECRET,
        ],
      ] as const) {
        const runtime = await createRuntime(parseEnv({ ...base, ...source }));
        try {
          expect(runtime.edgeSecret).toBe(secret);
        } finally {
          await runtime.close();
        }
      }
    } finally {
      await database.close();
    }
  });
});

describe("the API process", () => {
  it("exits at start with the list of invalid variables when the secret is missing", async () => {
    const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
    const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));
    const started = promisify(execFile)(tsx, [main], {
      // No ENVIRONMENT, no secret, a public root: what a forgotten production config looks like.
      env: { PATH: process.env.PATH, PLATFORM_ROOT_DOMAIN: "example.com", PORT: "0" },
      timeout: 60_000,
    });
    const failure = await started.then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain("invalid environment:\n  EDGE_SHARED_SECRET: required");
  });
});
