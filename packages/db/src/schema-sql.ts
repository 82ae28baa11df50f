// Renders the SQL that creates schema.prisma from nothing, offline, through Prisma 6.19's CLI
// (its schema engine ships as WASM; Prisma 7's needs a binary we cannot download). Used by the
// drift test (and by hand, to write a new migration: from the last schema to the new one).
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
const legacyCli = join(
  dirname(createRequire(import.meta.url).resolve("prisma-legacy/package.json")),
  "build",
  "index.js",
);

export interface SchemaSqlOptions {
  /** `--from-empty` when omitted. */
  fromSchemaPath?: string;
  toSchemaPath: string;
  /** The CLI opens (and does not use) a connection; any reachable database will do. */
  databaseUrl: string;
}

export async function renderSchemaSql(options: SchemaSqlOptions): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), "botgate-schema-"));
  try {
    const to = await withDatasourceUrl(options.toSchemaPath, join(work, "to.prisma"));
    const from = options.fromSchemaPath
      ? [
          "--from-schema-datamodel",
          await withDatasourceUrl(options.fromSchemaPath, join(work, "from.prisma")),
        ]
      : ["--from-empty"];
    const args = [legacyCli, "migrate", "diff", "--config", "prisma-legacy.config.ts", ...from];
    return await run(process.execPath, [...args, "--to-schema-datamodel", to, "--script"], {
      SCHEMA_SQL_DATABASE_URL: options.databaseUrl,
      // Never used for a diff; pointing at an existing file stops the download attempt.
      PRISMA_QUERY_ENGINE_LIBRARY: process.execPath,
      PRISMA_SCHEMA_ENGINE_BINARY: process.execPath,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Prisma 7 keeps the URL in prisma.config.ts; Prisma 6 wants it in the datasource block. */
async function withDatasourceUrl(source: string, target: string): Promise<string> {
  const schema = await readFile(source, "utf8");
  const patched = schema.replace(
    /datasource\s+db\s*\{/,
    (block) => `${block}\n  url = env("SCHEMA_SQL_DATABASE_URL")`,
  );
  await writeFile(target, patched);
  return target;
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: packageDir, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`prisma migrate diff failed (${code}): ${stderr}`)),
    );
  });
}
