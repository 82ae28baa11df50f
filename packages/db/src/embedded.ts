// The embedded default: PGlite (Postgres compiled to WASM) served over the Postgres wire
// protocol on loopback, so the app reaches it through the same pg + @prisma/adapter-pg path
// as a real server.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export interface EmbeddedPostgres {
  url: string;
  /** False when another process already serves this data folder and we only connect to it. */
  owned: boolean;
  close(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** A folder to persist into, or undefined for an in-memory database. */
  dataDir?: string;
  /** 0 (default) picks a free port. */
  port?: number;
}

interface ServerLock {
  pid: number;
  url: string;
}

/**
 * Starts PGlite, or, when a live process already serves the same data folder (the dev
 * server while an operator runs the CLI), returns that server's URL: two PGlite instances
 * on one folder would corrupt it.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const lockFile = options.dataDir ? `${options.dataDir}.server.json` : null;
  if (lockFile) {
    const running = await readLiveLock(lockFile);
    if (running) return { url: running.url, owned: false, close: async () => {} };
    await mkdir(options.dataDir!, { recursive: true });
  }
  const db = await PGlite.create(options.dataDir ?? "memory://");
  // The server multiplexes connections onto PGlite's single session and keeps an open
  // transaction exclusive to the connection that began it.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  if (lockFile) await writeFile(lockFile, JSON.stringify({ pid: process.pid, url } satisfies ServerLock));
  return {
    url,
    owned: true,
    async close() {
      await server.stop();
      await db.close();
      if (lockFile) await rm(lockFile, { force: true });
    },
  };
}

async function readLiveLock(file: string): Promise<ServerLock | null> {
  let lock: ServerLock;
  try {
    lock = JSON.parse(await readFile(file, "utf8")) as ServerLock;
  } catch {
    return null;
  }
  try {
    process.kill(lock.pid, 0);
    return lock;
  } catch {
    return null;
  }
}
