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

  it("serves concurrent transactions from several connections without mixing them", async () => {
    const pg = await startEmbeddedPostgres();
    await migrate(pg.url);
    const db = createDatabaseClient(pg.url, { maxConnections: 4 });
    try {
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          db
            .$transaction(async (tx) => {
              await tx.tag.create({ data: { name: `t${i}` } });
              if (i % 2 === 1) throw new Error("roll back the odd ones");
            })
            .catch(() => {}),
        ),
      );
      const names = (await db.tag.findMany({ orderBy: { name: "asc" } })).map((t) => t.name);
      expect(names).toEqual(["t0", "t2", "t4", "t6"]);
    } finally {
      await db.$disconnect();
      await pg.close();
    }
  });
});
