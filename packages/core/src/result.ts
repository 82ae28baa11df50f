// The one result shape for validation and parsing: callers branch on `ok`, show `message`
// to humans and match on `code` (stable snake_case) in code and tests.

export interface ValidationError<C extends string = string> {
  readonly code: C;
  readonly message: string;
}

export type Result<T, C extends string = string> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: ValidationError<C> };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail<C extends string>(code: C, message: string): { ok: false; error: ValidationError<C> } {
  return { ok: false, error: { code, message } };
}
