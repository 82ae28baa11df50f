import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, readMigrations } from "../src/migrate.ts";
import { migrationsDir } from "../src/paths.ts";
import { createEmptyTestDatabase, type TestDatabase } from "../src/testing.ts";

const open: TestDatabase[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((db) => db.close()));
});

async function emptyDatabase() {
  const db = await createEmptyTestDatabase();
  open.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function copyOfMigrations() {
  const dir = await mkdtemp(join(tmpdir(), "botgate-migrations-"));
  await cp(migrationsDir, dir, { recursive: true });
  return dir;
}

describe("the migration runner", () => {
  it("records each migration in _prisma_migrations the way prisma migrate deploy does", async () => {
    const db = await emptyDatabase();
    const result = await migrate(db.url);
    const files = await readMigrations();
    expect(result.applied).toEqual(files.map((m) => m.name));

    const rows = await query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
      applied_steps_count: number;
      id: string;
    }>(db.url, `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((m) => m.name));
    for (const [i, row] of rows.entries()) {
      const file = files[i]!;
      expect(row.checksum).toBe(createHash("sha256").update(file.sql).digest("hex"));
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("applies nothing the second time", async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    const again = await migrate(db.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBeGreaterThan(0);
  });

  it("applies only the migrations added since the last run", async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    await migrate(db.url, dir);
    await mkdir(join(dir, "29990101000000_add_note"));
    await writeFile(
      join(dir, "29990101000000_add_note", "migration.sql"),
      `ALTER TABLE "Tag" ADD COLUMN "note" TEXT;`,
    );
    const result = await migrate(db.url, dir);
    expect(result.applied).toEqual(["29990101000000_add_note"]);
    const cols = await query<{ column_name: string }>(
      db.url,
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'Tag' AND column_name = 'note'`,
    );
    expect(cols).toHaveLength(1);
  });

  it("refuses to continue when an applied migration was edited afterwards", async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    await migrate(db.url, dir);
    const [first] = await readMigrations(dir);
    await writeFile(join(dir, first!.name, "migration.sql"), `${first!.sql}\n-- edited\n`);
    await expect(migrate(db.url, dir)).rejects.toThrow(/edited after it was applied/);
  });

  it("records a failed migration with its error and refuses to run past it", async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    await mkdir(join(dir, "29990101000000_broken"));
    await writeFile(
      join(dir, "29990101000000_broken", "migration.sql"),
      "ALTER TABLE nope ADD COLUMN x INT;",
    );
    await expect(migrate(db.url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    const [row] = await query<{ logs: string; finished_at: Date | null }>(
      db.url,
      `SELECT logs, finished_at FROM "_prisma_migrations" WHERE migration_name = '29990101000000_broken'`,
    );
    expect(row?.finished_at).toBeNull();
    expect(row?.logs).toMatch(/nope/);
    await expect(migrate(db.url, dir)).rejects.toThrow(/P3009/);
  });
});
