// Test databases: a fresh, migrated database per call. With DATABASE_URL set (CI points it at
// the machine's PostgreSQL) it is a new database on that server; without it, a new in-memory
// embedded Postgres. This module is for tests and benchmarks only.
import { startEmbeddedPostgres } from "./embedded.ts";
import { createFreshDatabase } from "./fresh-database.ts";
import { migrate } from "./migrate.ts";

export interface TestDatabase {
  url: string;
  kind: "postgres" | "embedded";
  /** Pool size to use (the embedded database serves one connection). */
  maxConnections: number;
  close(): Promise<void>;
}

/** The server tests create their databases on, if any (read once: the test process's env). */
export const testDatabaseServerUrl: string | undefined = process.env.DATABASE_URL || undefined;

export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseServerUrl) {
    const db = await createFreshDatabase(testDatabaseServerUrl);
    return { url: db.url, kind: "postgres", maxConnections: 4, close: db.drop };
  }
  const db = await startEmbeddedPostgres();
  return { url: db.url, kind: "embedded", maxConnections: db.maxConnections, close: db.close };
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const db = await createEmptyTestDatabase();
  await migrate(db.url);
  return db;
}
