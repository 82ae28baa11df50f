import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CatalogSnapshot, HAND_WRITTEN_INDEXES, snapshotCatalog } from "../src/catalog.ts";
import { migrate } from "../src/migrate.ts";
import { schemaPath } from "../src/paths.ts";
import { renderSchemaSql } from "../src/schema-sql.ts";
import { createEmptyTestDatabase, type TestDatabase } from "../src/testing.ts";

// Two empty databases: one built by the committed migrations, one straight from
// schema.prisma. Any difference is a schema change without a migration (or the reverse).
let migrated: TestDatabase;
let fromSchema: TestDatabase;

async function applySql(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function snapshotOfSchema(db: TestDatabase, path: string): Promise<CatalogSnapshot> {
  await applySql(db.url, await renderSchemaSql({ toSchemaPath: path, databaseUrl: db.url }));
  return snapshotCatalog(db.url);
}

beforeAll(async () => {
  [migrated, fromSchema] = await Promise.all([createEmptyTestDatabase(), createEmptyTestDatabase()]);
  await migrate(migrated.url);
});

afterAll(async () => {
  await Promise.all([migrated?.close(), fromSchema?.close()]);
});

describe("migrations and schema.prisma", () => {
  it("describe the same database: tables, columns, types, nullability, defaults, keys, indexes", async () => {
    const expected = await snapshotOfSchema(fromSchema, schemaPath);
    const actual = await snapshotCatalog(migrated.url);
    expect(actual.columns.length).toBeGreaterThan(100);
    expect(actual).toEqual(expected);
  });

  it("the migrations create exactly the hand-written partial indexes the comparison leaves out", async () => {
    const client = new pg.Client({ connectionString: migrated.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ indexname: string; indexdef: string }>(
        `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND indexname = ANY($1)`,
        [Object.keys(HAND_WRITTEN_INDEXES)],
      );
      expect(Object.fromEntries(rows.map((r) => [r.indexname, r.indexdef]))).toEqual(HAND_WRITTEN_INDEXES);
    } finally {
      await client.end();
    }
  });

  it("disagree as soon as schema.prisma gains a column that no migration adds", async () => {
    const dir = await mkdtemp(join(tmpdir(), "botgate-drift-"));
    const edited = join(dir, "schema.prisma");
    const schema = await readFile(schemaPath, "utf8");
    await writeFile(edited, schema.replace("  isActive      Boolean  @default(true)", "$&\n  plan String?"));
    const other = await createEmptyTestDatabase();
    try {
      const expected = await snapshotOfSchema(other, edited);
      const actual = await snapshotCatalog(migrated.url);
      expect(expected.columns).toContain("Account.plan text NULL");
      expect(actual.columns).not.toContain("Account.plan text NULL");
      expect(actual).not.toEqual(expected);
    } finally {
      await other.close();
    }
  });
});
