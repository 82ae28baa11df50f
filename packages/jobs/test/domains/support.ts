// The custom-domain jobs against real parts: a fresh migrated PostgreSQL database, the local
// provider (embedded authoritative DNS server on loopback and local CA), and a job table of
// the test's own that enqueue writes through the caller's transaction, so a rolled-back change
// leaves no job, exactly as the real queue behaves. drain() runs due jobs until none are left.
import type { JobQueue, JobRequest } from "@botgate/api";
import { bootstrapAccount } from "@botgate/api";
import { NEGATIVE_ROUTE, platformConfig, type RouteEntry } from "@botgate/core";
import { createDatabaseClient, type DatabaseClient } from "@botgate/db";
import { createTestDatabase, type TestDatabase } from "@botgate/db/testing";
import { createLocalProvisioning, type Provisioning } from "@botgate/provisioning";
import { type DomainJobServices, domainJobHandlers } from "../../src/domains/index.ts";

export class TableJobQueue implements JobQueue {
  async enqueue(tx: Parameters<JobQueue["enqueue"]>[0], job: JobRequest): Promise<void> {
    await tx.$executeRaw`INSERT INTO test_jobs (name, data) VALUES (${job.name}, ${JSON.stringify(job.data)}::jsonb)`;
  }
}

/** The routing cache as a plain map (the edge's view is tested elsewhere). */
export class MapRouteStore {
  readonly entries = new Map<string, RouteEntry>();
  async get(key: string) {
    return this.entries.get(key) ?? null;
  }
  async setMany(writes: readonly { key: string; entry: RouteEntry }[]) {
    for (const w of writes) this.entries.set(w.key, w.entry);
  }
  async delete(keys: readonly string[]) {
    for (const k of keys) this.entries.delete(k);
  }
  routes(host: string): boolean {
    const entry = this.entries.get(`route:v1:host:${host}`) ?? NEGATIVE_ROUTE;
    return entry.found;
  }
}

export interface DomainWorld {
  database: TestDatabase;
  db: DatabaseClient;
  provisioning: Provisioning;
  routes: MapRouteStore;
  services: DomainJobServices;
  /** The clock the jobs read; tests move it forward. */
  clock: { now: Date };
  /** Runs queued jobs (startAfter ignored: the clock is the test's) until none are left; answers their names. */
  drain(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startDomainWorld(
  options: { checkerNameServers?: string[]; graceHours?: number; provisioning?: Provisioning } = {},
): Promise<DomainWorld> {
  const database = await createTestDatabase();
  const db = createDatabaseClient(database.url, { maxConnections: database.maxConnections });
  await db.$executeRawUnsafe(
    "CREATE TABLE test_jobs (id serial PRIMARY KEY, name text NOT NULL, data jsonb NOT NULL)",
  );
  const config = platformConfig({ environment: "local", rootDomain: "botgate.localhost" });
  const local = options.provisioning
    ? null
    : await createLocalProvisioning({
        rootDomain: config.rootDomain,
        platformDomain: config.apiDomain,
        issueDelayMs: 0,
        checkerTimeoutMs: 300,
        checkerTries: 1,
        ...(options.checkerNameServers ? { checkerNameServers: options.checkerNameServers } : {}),
      });
  const provisioning: Provisioning = options.provisioning ?? (local as Provisioning);
  const routes = new MapRouteStore();
  const clock = { now: new Date() };
  const services: DomainJobServices = {
    db,
    routes,
    config,
    logger: { warn: () => {}, error: () => {} },
    jobs: new TableJobQueue(),
    provisioning,
    reverifyGraceHours: options.graceHours ?? 24,
    domainClaimTtlHours: 72,
    now: () => clock.now,
  };
  const handlers = domainJobHandlers(services);
  const drain = async () => {
    const ran: string[] = [];
    for (let i = 0; i < 100; i++) {
      const [job] = await db.$queryRaw<{ id: number; name: string; data: Record<string, unknown> }[]>`
        DELETE FROM test_jobs WHERE id = (SELECT min(id) FROM test_jobs) RETURNING id, name, data`;
      if (!job) return ran;
      const handler = handlers[job.name];
      if (!handler) throw new Error(`no handler for ${job.name}`);
      await handler({ data: job.data });
      ran.push(job.name);
    }
    throw new Error(`jobs kept coming: ${ran.slice(-10).join(", ")}`);
  };
  return {
    database,
    db,
    provisioning,
    routes,
    services,
    clock,
    drain,
    close: async () => {
      await local?.close();
      await db.$disconnect();
      await database.close();
    },
  };
}

let accounts = 0;

/** An account with its admin, for rows the tests create directly. */
export async function newAccount(world: DomainWorld) {
  return bootstrapAccount(world.db, { username: `owner${++accounts}` });
}

/** What domain.create commits: the claim and its provision job, in one transaction. */
export async function claim(
  world: DomainWorld,
  owner: { accountId: number; userProfileId: number },
  domainName: string,
  token = `token${accounts}${domainName.length}`,
) {
  return world.db.$transaction(async (tx) => {
    const row = await tx.chatBotCustomDomain.create({
      data: {
        domainName,
        verificationToken: token,
        claimExpiresAt: new Date(world.clock.now.getTime() + 72 * 3_600_000),
        accountId: owner.accountId,
        userProfileId: owner.userProfileId,
        verificationStatus: "Provisioning",
      },
    });
    await world.services.jobs.enqueue(tx, { name: "domain-provision", data: { domainId: row.id } });
    return row;
  });
}

export function later(world: DomainWorld, ms: number): void {
  world.clock.now = new Date(world.clock.now.getTime() + ms);
}
