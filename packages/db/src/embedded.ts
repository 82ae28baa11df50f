// The embedded default: PGlite (Postgres compiled to WASM) served over the Postgres wire
// protocol on loopback, so the app reaches it through the same pg + @prisma/adapter-pg path
// as a real server.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * PGlite is one session. pglite-socket can multiplex several connections onto it, but only
 * keeps them apart inside transactions: outside one, the extended-protocol messages of two
 * connections interleave and a query can receive another's result. So clients use a pool of
 * one connection.
 */
export const EMBEDDED_MAX_CONNECTIONS = 1;
/**
 * The server still admits a few: pg's pool drops a connection after a failed query and opens
 * a new one before the server has noticed the old one close.
 */
const SERVER_CONNECTION_ALLOWANCE = 4;

export interface EmbeddedPostgres {
  url: string;
  /** Pool size clients must not exceed. */
  maxConnections: number;
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

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  const lockFile = options.dataDir ? `${options.dataDir}.server.json` : null;
  if (lockFile) {
    // Two PGlite instances on one folder would corrupt it.
    const running = await readLiveLock(lockFile);
    if (running) {
      throw new Error(
        `the embedded database in ${options.dataDir} is in use by process ${running.pid} ` +
          "(`npm run dev`?); stop that process or set DATABASE_URL",
      );
    }
    await mkdir(options.dataDir!, { recursive: true });
  }
  const db = await PGlite.create(options.dataDir ?? "memory://");
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: SERVER_CONNECTION_ALLOWANCE,
  });
  await server.start();
  const url = `postgresql://postgres:postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  if (lockFile) await writeFile(lockFile, JSON.stringify({ pid: process.pid, url } satisfies ServerLock));
  return {
    url,
    maxConnections: EMBEDDED_MAX_CONNECTIONS,
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
