import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { embeddedDatabaseNodeFlags } from "../../../scripts/embedded-node.mjs";
import { createDatabaseClient, migrate, startEmbeddedPostgres } from "../src/index.ts";

describe("the embedded Postgres", () => {
  it("runs in a test process started without V8's memory-protection-key code pages, which PGlite can crash", () => {
    expect(process.execArgv).toEqual(expect.arrayContaining(embeddedDatabaseNodeFlags));
  });

  it("keeps its data in the data folder across restarts", async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), "botgate-pglite-")), "pglite");
    const first = await startEmbeddedPostgres({ dataDir });
    await migrate(first.url);
    const db = createDatabaseClient(first.url, { maxConnections: first.maxConnections });
    await db.tag.create({ data: { name: "kept" } });
    await db.$disconnect();
    await first.close();

    const second = await startEmbeddedPostgres({ dataDir });
    const again = createDatabaseClient(second.url, { maxConnections: second.maxConnections });
    try {
      expect((await migrate(second.url)).applied).toEqual([]);
      expect(await again.tag.findUnique({ where: { name: "kept" } })).not.toBeNull();
    } finally {
      await again.$disconnect();
      await second.close();
    }
  });

  it("keeps answering through its one connection after failed queries, each query getting its own result", async () => {
    const pg = await startEmbeddedPostgres();
    await migrate(pg.url);
    const db = createDatabaseClient(pg.url, { maxConnections: pg.maxConnections });
    try {
      await db.tag.create({ data: { name: "unique" } });
      await expect(db.tag.create({ data: { name: "unique" } })).rejects.toThrow(/Unique constraint/);
      await expect(db.$queryRawUnsafe("SELECT 1/0")).rejects.toThrow(/division by zero/);
      expect(await db.tag.count()).toBe(1);
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => db.$queryRaw<{ n: number }[]>`SELECT ${i}::int AS n`),
      );
      expect(answers.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await db.$disconnect();
      await pg.close();
    }
  });

  it("refuses to open a data folder another live process is serving", async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), "botgate-pglite-")), "pglite");
    const first = await startEmbeddedPostgres({ dataDir });
    try {
      await expect(startEmbeddedPostgres({ dataDir })).rejects.toThrow(/in use by process/);
    } finally {
      await first.close();
    }
    const again = await startEmbeddedPostgres({ dataDir });
    await again.close();
  });
});
