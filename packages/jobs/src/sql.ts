// pg-boss runs its SQL on the pg pool under Prisma (its `db` option): on the embedded database
// that pool holds the one connection, and a second pool would deadlock against an open
// transaction. An enqueue inside a transaction runs on the transaction client instead, so the
// job commits or rolls back with the caller's change.
import type { databasePoolOf, Prisma } from "@botgate/db";

type Pool = ReturnType<typeof databasePoolOf>;

/** What pg-boss's `db` option wants. */
export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

export function poolExecutor(pool: Pool): SqlExecutor {
  return {
    async executeSql(text, values) {
      const result = await pool.query(text, values as unknown[] | undefined);
      // A multi-statement plan (schema install) answers one result per statement.
      return Array.isArray(result) ? { rows: [] } : { rows: result.rows };
    },
  };
}

/** pg serializes objects to JSON itself; Prisma's raw parameters need it done beforehand. */
function parameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === "object" && !(value instanceof Date) && !Array.isArray(value)) {
    return JSON.stringify(value);
  }
  return value;
}

/** For pg-boss's insert only (it answers the new job's id, which Prisma reads as text). */
export function transactionExecutor(tx: Pick<Prisma.TransactionClient, "$queryRawUnsafe">): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const rows = await tx.$queryRawUnsafe<unknown[]>(text, ...values.map(parameter));
      return { rows };
    },
  };
}
