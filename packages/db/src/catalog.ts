// A comparable description of a database's structure: what schema.prisma can express
// (enums, tables, columns with types/nullability/defaults, primary/unique/foreign keys,
// indexes). Triggers and CHECK constraints that migrations add by hand are left out, and so
// are the few partial indexes listed in HAND_WRITTEN_INDEXES (the drift test checks that the
// migrations create exactly those).
import pg from "pg";

export interface CatalogSnapshot {
  enums: string[];
  columns: string[];
  constraints: string[];
  indexes: string[];
}

const IGNORED_TABLES = ["_prisma_migrations"];

/** Partial indexes schema.prisma cannot express, by name, with the definition migrations give them. */
export const HAND_WRITTEN_INDEXES: Record<string, string> = {
  ChatBotCustomDomain_verified_domainName_key:
    'CREATE UNIQUE INDEX "ChatBotCustomDomain_verified_domainName_key" ON public."ChatBotCustomDomain" USING btree ("domainName") WHERE "isVerified"',
};

export async function snapshotCatalog(databaseUrl: string): Promise<CatalogSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const q = async (sql: string) =>
      (await client.query<{ line: string }>(sql)).rows.map((r) => r.line).sort();
    const notIgnored = IGNORED_TABLES.map((t) => `'${t}'`).join(",");
    const handWritten = Object.keys(HAND_WRITTEN_INDEXES)
      .map((name) => `'${name}'`)
      .join(",");
    return {
      enums: await q(`
        SELECT t.typname || ': ' || string_agg(e.enumlabel, ', ' ORDER BY e.enumsortorder) AS line
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'
        GROUP BY t.typname`),
      columns: await q(`
        SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
          || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
          || COALESCE(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '') AS line
        FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname NOT IN (${notIgnored})`),
      constraints: await q(`
        SELECT c.relname || ' ' || con.conname || ' ' || pg_get_constraintdef(con.oid) AS line
        FROM pg_constraint con
        JOIN pg_class c ON c.oid = con.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
        WHERE con.contype IN ('p', 'u', 'f') AND c.relname NOT IN (${notIgnored})`),
      indexes: await q(`
        SELECT indexdef AS line FROM pg_indexes
        WHERE schemaname = 'public' AND tablename NOT IN (${notIgnored})
          AND indexname NOT IN (${handWritten})`),
    };
  } finally {
    await client.end();
  }
}
