// Building blocks of every procedure input. Limits sit inside the database's column limits,
// so no accepted input can fail in Postgres.
import type { Result } from "@botgate/core";
import { z } from "zod";

/** Postgres `integer`, the type of every id column. */
const MAX_ID = 2_147_483_647;

export const idSchema = z.number().int().min(1).max(MAX_ID);

/** Postgres text rejects NUL; reject it here with a message instead. */
export function text(max: number) {
  return z
    .string()
    .max(max)
    .refine((value) => !value.includes("\u0000"), "Must not contain NUL characters.");
}

/** A string checked by one of core's validators, with core's message. */
export function validatedBy(validate: (input: unknown) => Result<string>, max: number) {
  return z
    .string()
    .max(max)
    .superRefine((value, ctx) => {
      const result = validate(value);
      if (!result.ok) ctx.addIssue({ code: "custom", message: result.error.message });
    });
}

export const pageInput = {
  /** The last id of the previous page. */
  cursor: idSchema.optional(),
  limit: z.number().int().min(1).max(100).default(50),
};

export interface Page<T> {
  items: T[];
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: number | null;
}

/** `rows` was fetched with `take: limit + 1`: the extra row only says whether more follow. */
export function toPage<Row extends { id: number }, T>(
  rows: Row[],
  limit: number,
  view: (row: Row) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(view), nextCursor: rows.length > limit && last ? last.id : null };
}
