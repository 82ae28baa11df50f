// The embedded default: PGlite (Postgres compiled to WASM) served over the Postgres wire
// protocol on loopback, so the app reaches it through the same pg + @prisma/adapter-pg path
// as a real server.
import { mkdir } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** A folder to persist into, or undefined for an in-memory database. */
  dataDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir ?? "memory://");
  // The server multiplexes connections onto PGlite's single session and keeps an open
  // transaction exclusive to the connection that began it.
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: 64,
  });
  await server.start();
  const address = server.getServerConn();
  return {
    url: `postgresql://postgres:postgres@${address}/postgres?sslmode=disable`,
    async close() {
      await server.stop();
      await db.close();
    },
  };
}
