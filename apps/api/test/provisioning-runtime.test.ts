// PROVISIONING picks the providers at start: aws builds Route53/ACM clients without calling AWS,
// local starts the embedded DNS server; missing aws settings are refused before anything opens.
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "@botgate/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { EnvError, parseEnv } from "../src/env.ts";
import { createRuntime } from "../src/runtime.ts";

const AWS = {
  PROVISIONING: "aws",
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  PLATFORM_HOSTED_ZONE_ID: "Z0123456789ABCDEFGHIJ",
  EDGE_TARGET: "edge.example.net",
};

describe("provisioning chosen at start", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(join(tmpdir(), "botgate-provisioning-"));
  });
  afterAll(async () => {
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const base = () => ({
    DATABASE_URL: database.url,
    MIGRATE_ON_START: "false",
    ENVIRONMENT: "local",
    PLATFORM_ROOT_DOMAIN: "botgate.localhost",
    // The local provider keeps its state under DATA_DIR: a directory of this test's own.
    DATA_DIR: dataDir,
  });

  it("starts a runtime on Route53 and ACM with PROVISIONING=aws, calling neither at start", async () => {
    // Every TCP connection the process opens (database and Redis too): none may go to AWS.
    const connect = vi.spyOn(Socket.prototype, "connect");
    try {
      const runtime = await createRuntime(parseEnv({ ...base(), ...AWS, JOBS_WORKER: "off" }));
      try {
        expect(runtime.provisioning.kind).toBe("aws");
        expect(runtime.provisioning.dns.kind).toBe("aws");
        expect(runtime.provisioning.certificates.kind).toBe("aws");
        expect(runtime.localDns).toBeNull();
        const targets = connect.mock.calls.map((args) => JSON.stringify(args[0]));
        expect(targets.filter((t) => /amazonaws|"port":443/.test(t))).toEqual([]);
      } finally {
        await runtime.close();
      }
    } finally {
      connect.mockRestore();
    }
  });

  it("refuses PROVISIONING=aws without its settings, naming each missing variable", () => {
    const refusal = () => parseEnv({ ...base(), PROVISIONING: "aws", EDGE_TARGET: "edge.example.net" });
    expect(refusal).toThrow(EnvError);
    expect(refusal).toThrow(/AWS_REGION: required when PROVISIONING=aws/);
    expect(refusal).toThrow(/PLATFORM_HOSTED_ZONE_ID: required when PROVISIONING=aws/);
  });

  it("keeps the embedded DNS server of PROVISIONING=local, answering on loopback", async () => {
    const runtime = await createRuntime(parseEnv({ ...base(), JOBS_WORKER: "off" }));
    try {
      expect(runtime.provisioning.kind).toBe("local");
      expect(runtime.localDns).toMatchObject({ host: "127.0.0.1" });
      expect(runtime.localDns?.port).toBeGreaterThan(0);
      // Its zone state persists under DATA_DIR outside tests.
      const zone = await runtime.provisioning.dns.platformZone();
      await runtime.provisioning.dns.upsertRecords(zone.id, [
        { name: `probe.${runtime.config.apiDomain}`, type: "A", values: ["127.0.0.1"], ttl: 60 },
      ]);
      expect(await readdir(join(dataDir, "provisioning"))).toContain("local-dns.json");
    } finally {
      await runtime.close();
    }
  });
});
