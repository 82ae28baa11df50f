// The API's configuration refuses to sign with the public development secret anywhere but a
// development setup, as the edge does (both apply @botgate/forwarding's edgeSecretProblem).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestDatabase } from "@botgate/db/testing";
import { LOCAL_DEVELOPMENT_SECRET } from "@botgate/forwarding";
import { describe, expect, it } from "vitest";
import { EnvError, parseEnv, provisioningSettings } from "../src/env.ts";
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

describe("provisioning settings", () => {
  const aws = {
    PROVISIONING: "aws",
    AWS_REGION: "us-east-1",
    PLATFORM_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ",
    EDGE_TARGET: "edge.example.net",
  };

  it("requires AWS_REGION, PLATFORM_HOSTED_ZONE_ID and a public EDGE_TARGET with PROVISIONING=aws", () => {
    const message = refusal({ PROVISIONING: "aws" });
    for (const name of ["AWS_REGION", "PLATFORM_HOSTED_ZONE_ID"]) {
      expect(message).toContain(`  ${name}: required when PROVISIONING=aws`);
    }
    // The loopback default is the local edge's: Route53 records must reach the public one.
    expect(message).toContain("  EDGE_TARGET: set it to the edge's public hostname or IP address");
    for (const loopback of ["127.0.0.1", "::1", "localhost", "edge.botgate.localhost"]) {
      expect(refusal({ ...aws, EDGE_TARGET: loopback })).toMatch(/EDGE_TARGET: set it to the edge's public/);
    }
  });

  it("refuses a malformed region, hosted zone id or edge target, naming the variable", () => {
    expect(refusal({ ...aws, AWS_REGION: "mars" })).toMatch(/AWS_REGION: not an AWS region/);
    expect(refusal({ ...aws, PLATFORM_HOSTED_ZONE_ID: "my-zone" })).toMatch(
      /PLATFORM_HOSTED_ZONE_ID: not a Route53 hosted zone id/,
    );
    expect(refusal({ ...aws, EDGE_TARGET: "not a host" })).toMatch(
      /EDGE_TARGET: an IP address or a hostname/,
    );
  });

  it("takes explicit AWS credentials both or neither, and a session token only with them", () => {
    expect(refusal({ ...aws, AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE" })).toMatch(
      /AWS_SECRET_ACCESS_KEY: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY both, or neither/,
    );
    expect(refusal({ ...aws, AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" })).toMatch(
      /AWS_ACCESS_KEY_ID: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY both, or neither/,
    );
    expect(refusal({ ...aws, AWS_SESSION_TOKEN: "token" })).toMatch(/AWS_SESSION_TOKEN: only with/);
    const short = refusal({ ...aws, AWS_ACCESS_KEY_ID: "short", AWS_SECRET_ACCESS_KEY: "short" });
    expect(short).toMatch(/ AWS_ACCESS_KEY_ID: Too small/);
    expect(short).toMatch(/ AWS_SECRET_ACCESS_KEY: Too small/);
  });

  it("accepts aws settings with or without explicit credentials and maps them for createProvisioning", () => {
    const env = parseEnv({
      ...aws,
      AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
      AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
      DNS_RESOLVERS: "8.8.8.8,1.1.1.1:53",
    });
    expect(provisioningSettings(env, { rootDomain: "example.com", apiDomain: "api.example.com" })).toEqual({
      kind: "aws",
      edgeTarget: "edge.example.net",
      aws: {
        region: "us-east-1",
        credentials: {
          accessKeyId: "AKIAIOSFODNN7EXAMPLE",
          secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        },
        platformHostedZoneId: "Z0123456789ABCDEFGHIJ",
        nameServersForChecks: ["8.8.8.8", "1.1.1.1:53"],
        checkerTimeoutMs: 3_000,
        checkerTries: 2,
        maxAttempts: 5,
      },
    });
    expect(() => parseEnv(aws)).not.toThrow();
  });

  it("maps the local provider's variables, the checker asking the embedded server by default", () => {
    const env = parseEnv({
      LOCAL_DNS_PORT: "5300",
      LOCAL_CERT_DELAY_MS: "100",
      LOCAL_NAME_SERVERS: "ns1.dev.test,ns2.dev.test",
    });
    expect(
      provisioningSettings(
        env,
        { rootDomain: "botgate.localhost", apiDomain: "api.local.botgate.localhost" },
        "/tmp/x",
      ),
    ).toEqual({
      kind: "local",
      edgeTarget: "127.0.0.1",
      local: {
        rootDomain: "botgate.localhost",
        platformDomain: "api.local.botgate.localhost",
        nameServers: ["ns1.dev.test", "ns2.dev.test"],
        stateDir: "/tmp/x",
        dnsHost: "127.0.0.1",
        dnsPort: 5300,
        issueDelayMs: 100,
        validationTimeoutMs: 600_000,
        checkerTimeoutMs: 3_000,
        checkerTries: 2,
      },
    });
  });
});
