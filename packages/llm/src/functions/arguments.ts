// The one way every function reads its arguments: JSON, then a strict zod schema, with a
// message the model can act on when either fails.
import type { z } from "zod";
import { errorResult } from "./types.ts";

/** Model-written argument strings are small; anything larger is refused before JSON.parse. */
const MAX_ARGUMENTS_CHARS = 4_000;

export type Parsed<T> = { ok: true; value: T } | { ok: false; result: string };

export function parseArguments<T>(schema: z.ZodType<T>, argumentsJson: string): Parsed<T> {
  if (argumentsJson.length > MAX_ARGUMENTS_CHARS) {
    return { ok: false, result: errorResult("invalid_arguments", "The arguments are too long.") };
  }
  let raw: unknown;
  try {
    // Models send "" for a function without parameters.
    raw = argumentsJson.trim() === "" ? {} : JSON.parse(argumentsJson);
  } catch {
    return { ok: false, result: errorResult("invalid_arguments", "The arguments are not valid JSON.") };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "(arguments)"}: ${i.message}`);
    return { ok: false, result: errorResult("invalid_arguments", problems.join("; ")) };
  }
  return { ok: true, value: parsed.data };
}
