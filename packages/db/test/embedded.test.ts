import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createDatabaseClient, migrate, startEmbeddedPostgres } from "../src/index.ts";

describe("the embedded Postgres", () => {
  it("keeps its data in the data folder across restarts", async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), "botgate-pglite-")), "pglite");
    const first = await startEmbeddedPostgres({ dataDir });
    await migrate(first.url);
    const db = createDatabaseClient(first.url);
    await db.tag.create({ data: { name: "kept" } });
    await db.$disconnect();
    await first.close();

    const second = await startEmbeddedPostgres({ dataDir });
    const again = createDatabaseClient(second.url);
    try {
      expect((await migrate(second.url)).applied).toEqual([]);
      expect(await again.tag.findUnique({ where: { name: "kept" } })).not.toBeNull();
    } finally {
      await again.$disconnect();
      await second.close();
    }
  });

  it("refuses a second connection instead of interleaving two sessions on one PGlite", async () => {
    const pg = await startEmbeddedPostgres();
    const first = createDatabaseClient(pg.url, { maxConnections: pg.maxConnections });
    const second = createDatabaseClient(pg.url, { maxConnections: 1 });
    try {
      await first.$queryRaw`SELECT 1`;
      await expect(second.$queryRaw`SELECT 1`).rejects.toThrow();
      // The first connection keeps working, and many concurrent queries through it get their own answers.
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => first.$queryRaw<{ n: number }[]>`SELECT ${i}::int AS n`),
      );
      expect(answers.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await Promise.all([first.$disconnect(), second.$disconnect()]);
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
