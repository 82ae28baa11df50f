import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export interface DatabaseClientOptions {
  /** Pool size of the pg driver under the adapter. */
  maxConnections?: number;
  /** Called with each SQL statement: used by benchmarks to count queries per call. */
  onQuery?: (sql: string) => void;
}

/** Also bounds the wait for a free pooled connection, so it sits far above any queue seen under load. */
const CONNECT_TIMEOUT_MS = 10_000;

export function createDatabaseClient(databaseUrl: string, options: DatabaseClientOptions = {}): PrismaClient {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // A server that drops packets instead of refusing connections must not hang requests: past
    // this, the query fails like an outage (503) instead of waiting for the kernel's TCP timeout.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // The adapter's own @types/pg is a newer copy of the same pg module (checked at run time).
  const adapter = new PrismaPg(pool as unknown as ConstructorParameters<typeof PrismaPg>[0], {
    disposeExternalPool: true,
  });
  const client = new PrismaClient({
    adapter,
    log: options.onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    client.$on("query" as never, (event: { query: string }) => onQuery(event.query));
  }
  pools.set(client, pool);
  return client;
}

const pools = new WeakMap<PrismaClient, pg.Pool>();

/**
 * The pg pool under a client: the job queue (pg-boss) runs its SQL on it, so the embedded
 * database's single connection is shared instead of contended by a second pool.
 */
export function databasePoolOf(client: PrismaClient): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error("not a client made by createDatabaseClient()");
  return pool;
}

export type DatabaseClient = PrismaClient;
