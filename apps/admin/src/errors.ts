// What the API says went wrong, in the shape packages/api's errorFormatter gives it:
// data.fieldErrors per input field (zod or a BotgateError's), message for the rest.
import { TRPCClientError } from "@trpc/client";

export type FieldErrors = Partial<Record<string, string[]>>;

export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof TRPCClientError)) return {};
  const data = error.data as { fieldErrors?: FieldErrors | null } | undefined;
  return data?.fieldErrors ?? {};
}

export function messageOf(error: unknown): string {
  if (error instanceof TRPCClientError) {
    const fields = fieldErrorsOf(error);
    // Field errors are shown at their fields; the summary then says only that.
    if (Object.keys(fields).length > 0) return "Some fields need attention.";
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function codeOf(error: unknown): string | null {
  if (!(error instanceof TRPCClientError)) return null;
  return (error.data as { code?: string } | undefined)?.code ?? null;
}
