// Field validation shared by the admin API, the CLI and the admin app. Values are checked,
// never silently rewritten: the caller stores exactly what it passed in.

import { BotgateError } from "./errors.ts";
import { fail, ok, type Result } from "./result.ts";

export type FieldErrorCode =
  | "required"
  | "too_long"
  | "invalid_start"
  | "invalid_characters"
  | "invalid_format";

/** One DNS label: a name of an account admin's chatbot is used in hosts as is (lower-cased). */
export const CHATBOT_NAME_MAX_LENGTH = 63;
/** As Django (and the User table's VarChar(150)). */
export const USERNAME_MAX_LENGTH = 150;
const SEMVER_MAX_LENGTH = 64;

/** camelCase identifier: an ASCII letter (either case), then ASCII letters and digits. */
export function validateChatbotName(input: unknown): Result<string, FieldErrorCode> {
  if (typeof input !== "string" || input.length === 0) return fail("required", "A chatbot name is required.");
  if (input.length > CHATBOT_NAME_MAX_LENGTH) {
    return fail("too_long", `A chatbot name may have at most ${CHATBOT_NAME_MAX_LENGTH} characters.`);
  }
  if (!/^[A-Za-z]/.test(input)) return fail("invalid_start", "A chatbot name must start with a letter.");
  if (!/^[A-Za-z0-9]+$/.test(input)) {
    return fail(
      "invalid_characters",
      "A chatbot name may contain only letters and digits (camelCase, e.g. apiKey).",
    );
  }
  return ok(input);
}

/** Django's username alphabet (ASCII letters, digits, @ . + - _) with at least one letter or digit. */
export function validateUsername(input: unknown): Result<string, FieldErrorCode> {
  if (typeof input !== "string" || input.length === 0) return fail("required", "A username is required.");
  if (input.length > USERNAME_MAX_LENGTH) {
    return fail("too_long", `A username may have at most ${USERNAME_MAX_LENGTH} characters.`);
  }
  if (!/^[A-Za-z0-9@.+_-]+$/.test(input)) {
    return fail("invalid_characters", "A username may contain only letters, digits and @ . + - _.");
  }
  if (!/[A-Za-z0-9]/.test(input))
    return fail("invalid_format", "A username must contain a letter or a digit.");
  return ok(input);
}

/** MAJOR.MINOR.PATCH, no leading zeros, no pre-release or build suffix. */
export function validateSemver(input: unknown): Result<string, FieldErrorCode> {
  if (typeof input !== "string" || input.length === 0) return fail("required", "A version is required.");
  if (input.length > SEMVER_MAX_LENGTH) return fail("too_long", "The version is too long.");
  if (!/^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$/.test(input)) {
    return fail("invalid_format", "A version must look like MAJOR.MINOR.PATCH, e.g. 1.0.0.");
  }
  return ok(input);
}

export function validateAccountNumber(input: unknown): Result<string, FieldErrorCode> {
  if (typeof input !== "string" || input.length === 0)
    return fail("required", "An account number is required.");
  if (!/^\d{4}-\d{4}-\d{4}$/.test(input)) {
    return fail("invalid_format", "An account number looks like 1234-5678-9012.");
  }
  return ok(input);
}

/**
 * A random `dddd-dddd-dddd`. `randomInt(n)` must return an integer in [0, n): pass
 * node:crypto's randomInt, or a crypto.getRandomValues-based function in workers.
 * @throws BotgateError("INTERNAL") if randomInt breaks that contract.
 */
export function generateAccountNumber(randomInt: (maxExclusive: number) => number): string {
  let digits = "";
  for (let i = 0; i < 12; i++) {
    const digit = randomInt(10);
    if (!Number.isInteger(digit) || digit < 0 || digit > 9) {
      throw new BotgateError("INTERNAL", `randomInt(10) returned ${digit}, expected an integer in [0, 10).`);
    }
    digits += digit;
  }
  return `${digits.slice(0, 4)}-${digits.slice(4, 8)}-${digits.slice(8)}`;
}
