// The worker as its own process (tsx src/worker.ts) on PostgreSQL, SIGKILLed at each step of a
// deploy (seen in the database and the provider's state, never guessed from sleeps). A new
// worker picks the job up again, and the deploy ends with exactly one record and one
// certificate.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFreshDatabase, type FreshDatabase, migrate } from "@botgate/db";
import type { DnsRecord } from "@botgate/provisioning";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount, eventually, startTestServer, type TestServer, type TestUser } from "./harness.ts";

const SERVER_URL = process.env.DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres";

let database: FreshDatabase;
let dataDir: string;
let server: TestServer;
let admin: TestUser;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  database = await createFreshDatabase(SERVER_URL);
  await migrate(database.url);
  dataDir = await mkdtemp(join(tmpdir(), "botgate-crash-"));
  // The API only enqueues here: the workers are the child processes.
  server = await startTestServer({
    env: { JOBS_WORKER: "off" },
    database: { url: database.url, kind: "postgres", maxConnections: 4, close: async () => {} },
  });
  admin = await createAccount(server);
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await server?.close();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startWorker(): ChildProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "src/worker.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      BOTGATE_DEV: "1",
      ENVIRONMENT: "local",
      PLATFORM_ROOT_DOMAIN: "botgate.localhost",
      // Long enough that the certificate wait is a step of its own.
      LOCAL_CERT_DELAY_MS: "3000",
      JOBS_EXPIRE_SECONDS: "2",
      JOBS_MAINTENANCE_SECONDS: "1",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

/**
 * What the provider holds for a host, read from the state files the workers write (read only:
 * a provider constructed here would write its own platform zone into them).
 */
async function providerState(host: string) {
  const read = async <T>(file: string, empty: T): Promise<T> => {
    try {
      return JSON.parse(await readFile(join(dataDir, "provisioning", file), "utf8")) as T;
    } catch {
      return empty;
    }
  };
  const dns = await read<{ zones: { records: DnsRecord[] }[] }>("local-dns.json", { zones: [] });
  const ca = await read<{ certificates: { arn: string; domainName: string }[] }>("local-ca.json", {
    certificates: [],
  });
  return {
    records: dns.zones.flatMap((zone) => zone.records).filter((r) => r.name === host),
    certs: ca.certificates.filter((c) => c.domainName === host).map((c) => c.arn),
  };
}

async function row(id: number) {
  return server.runtime.db.chatBot.findUniqueOrThrow({
    where: { id },
    select: { tlsCertificateIssuanceStatus: true, dnsVerificationStatus: true, certificateArn: true },
  });
}

describe("a worker killed at each step of a deploy", () => {
  it("resumes in a new worker and finishes with exactly one record and one certificate", async () => {
    const bot = await admin.client.chatbot.create.mutate({ name: "survivor" });
    await admin.client.chatbot.deploy.mutate({ id: bot.id });
    const host = bot.defaultHost;
    const steps: [string, () => Promise<boolean>][] = [
      ["the host record is written", async () => (await providerState(host)).records.length > 0],
      [
        "the certificate is requested",
        async () => (await row(bot.id)).tlsCertificateIssuanceStatus === "Requested",
      ],
      [
        "the certificate is issued",
        async () => (await row(bot.id)).tlsCertificateIssuanceStatus === "Issued",
      ],
    ];
    const reached: string[] = [];
    for (const [step, reachedStep] of steps) {
      const worker = startWorker();
      await eventually(reachedStep, { timeoutMs: 90_000, intervalMs: 20, what: step });
      await kill(worker);
      reached.push(step);
    }
    startWorker();
    await eventually(
      async () => {
        const current = await row(bot.id);
        return (
          current.dnsVerificationStatus === "Verified" && current.tlsCertificateIssuanceStatus === "Issued"
        );
      },
      { timeoutMs: 90_000, what: "the deploy to finish" },
    );
    expect(reached).toEqual(steps.map(([step]) => step));
    const { records, certs } = await providerState(host);
    expect(records).toEqual([{ name: host, type: "A", values: ["127.0.0.1"], ttl: 300 }]);
    expect(certs).toEqual([(await row(bot.id)).certificateArn]);
    expect(await server.runtime.db.chatBotCustomDomainDNS.count({ where: { recordName: host } })).toBe(1);
    expect((await admin.client.chatbot.get.query({ id: bot.id })).ready).toBe(true);
  }, 300_000);
});
