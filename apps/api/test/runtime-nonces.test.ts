// The origin claims the nonces of signed edge forwards where the environment says: over its own
// TCP connection with REDIS_URL, through the Upstash REST interface with only that configured,
// and in the process alone with neither. A claimed nonce is refused the second time, and the
// Redis-backed stores share that refusal with every process on the same Redis.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MemoryNonceStore, RedisNonceStore, UpstashNonceStore } from "@botgate/cache";
import { createTestDatabase } from "@botgate/db/testing";
import { startUpstashRest } from "@botgate/upstash-rest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEnv } from "../src/env.ts";
import { createRuntime } from "../src/runtime.ts";
import { REDIS_URL } from "./harness.ts";

describe("forward nonces chosen at start", () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let rest: Awaited<ReturnType<typeof startUpstashRest>>;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    // The local provisioning keeps its state under DATA_DIR: a directory of this test's own.
    dataDir = await mkdtemp(join(tmpdir(), "botgate-nonces-"));
    rest = await startUpstashRest({ redisUrl: REDIS_URL, token: randomBytes(16).toString("hex") });
  });
  afterAll(async () => {
    await rest?.close();
    await database?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const runtimeWith = (settings: Record<string, string>) =>
    createRuntime(
      parseEnv({
        DATABASE_URL: database.url,
        MIGRATE_ON_START: "false",
        ENVIRONMENT: "local",
        PLATFORM_ROOT_DOMAIN: "botgate.localhost",
        JOBS_WORKER: "off",
        DATA_DIR: dataDir,
        ...settings,
      }),
    );

  const restSettings = () => ({ UPSTASH_REDIS_REST_URL: rest.url, UPSTASH_REDIS_REST_TOKEN: rest.token });

  it.each([
    ["REDIS_URL: the origin's own TCP connection", () => ({ REDIS_URL }), RedisNonceStore],
    [
      "REDIS_URL beside the REST settings: still TCP",
      () => ({ REDIS_URL, ...restSettings() }),
      RedisNonceStore,
    ],
    ["only the Upstash REST settings: through REST", restSettings, UpstashNonceStore],
  ])("with %s, a nonce claimed by one process is refused to another", async (_name, settings, kind) => {
    const first = await runtimeWith(settings());
    const second = await runtimeWith(settings());
    try {
      expect(first.forwardNonces).toBeInstanceOf(kind);
      const nonce = randomBytes(16).toString("hex");
      expect(await first.forwardNonces.claim(nonce, 30)).toBe(true);
      expect(await second.forwardNonces.claim(nonce, 30)).toBe(false);
      expect(await first.forwardNonces.claim(nonce, 30)).toBe(false);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it("without Redis, claims nonces in the process alone", async () => {
    const runtime = await runtimeWith({});
    try {
      expect(runtime.forwardNonces).toBeInstanceOf(MemoryNonceStore);
      const nonce = randomBytes(16).toString("hex");
      expect(await runtime.forwardNonces.claim(nonce, 30)).toBe(true);
      expect(await runtime.forwardNonces.claim(nonce, 30)).toBe(false);
    } finally {
      await runtime.close();
    }
  });
});
