import { PrismaPg } from "@prisma/adapter-pg";
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
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.maxConnections ?? 10,
    // A server that drops packets instead of refusing connections must not hang requests: past
    // this, the query fails like an outage (503) instead of waiting for the kernel's TCP timeout.
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  const client = new PrismaClient({
    adapter,
    log: options.onQuery ? [{ emit: "event", level: "query" }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    client.$on("query" as never, (event: { query: string }) => onQuery(event.query));
  }
  return client;
}

export type DatabaseClient = PrismaClient;
