// The one place where failures become errors callers see: BotgateError by its code, a
// database outage as UNAVAILABLE, Prisma's known request errors by what they mean to the
// caller, anything else as an opaque internal error. The tRPC API and the HTTP app's error
// handler (apps/api app.ts) both map through botgateErrorOf().
import { BotgateError, type ErrorCode } from "@botgate/core";
import { Prisma } from "@botgate/db";
import { type TRPC_ERROR_CODE_KEY, TRPCError } from "@trpc/server";
import {
  DATABASE_RETRY_AFTER_SECONDS,
  databaseUnavailable,
  isDatabaseUnavailable,
} from "./database-outage.ts";

const TRPC_CODE: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_REQUEST: "BAD_REQUEST",
  INVALID_HOST: "BAD_REQUEST",
  UNAUTHORIZED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  METHOD_NOT_ALLOWED: "METHOD_NOT_SUPPORTED",
  REQUEST_TIMEOUT: "TIMEOUT",
  CONFLICT: "CONFLICT",
  PAYLOAD_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  HEADERS_TOO_LARGE: "BAD_REQUEST",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  INTERNAL: "INTERNAL_SERVER_ERROR",
  BAD_GATEWAY: "BAD_GATEWAY",
  NOT_READY: "SERVICE_UNAVAILABLE",
  UNAVAILABLE: "SERVICE_UNAVAILABLE",
  GATEWAY_TIMEOUT: "GATEWAY_TIMEOUT",
  PROVIDER_REJECTED_REQUEST: "BAD_REQUEST",
  PROVIDER_RATE_LIMITED: "TOO_MANY_REQUESTS",
  REQUEST_ABORTED: "CLIENT_CLOSED_REQUEST",
  PROVIDER_AUTH: "BAD_GATEWAY",
  PROVIDER_MODEL_NOT_FOUND: "BAD_GATEWAY",
  PROVIDER_ERROR: "BAD_GATEWAY",
  PROVIDER_UNREACHABLE: "BAD_GATEWAY",
  PROVIDER_STREAM_INTERRUPTED: "BAD_GATEWAY",
  PROVIDER_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  PROVIDER_TIMEOUT: "GATEWAY_TIMEOUT",
};

/** Unique constraints callers can run into, by index name: what to tell them and about which field. */
const UNIQUE_VIOLATIONS: Record<string, { message: string; field: string }> = {
  ChatBotCustomDomain_accountId_domainName_key: {
    message: "This account has already claimed this domain.",
    field: "domainName",
  },
  ChatBotCustomDomain_verified_domainName_key: {
    message: "This domain is verified by another account.",
    field: "domainName",
  },
  ChatBot_userProfileId_name_key: { message: "You already have a chatbot with this name.", field: "name" },
  // Host clashes are normally answered by services/host-names.ts, with the host named.
  ChatBot_accountId_hostLabel_key: {
    message: "Another chatbot already answers at this host.",
    field: "name",
  },
  ChatBot_customHost_key: { message: "Another chatbot already answers at this host.", field: "name" },
  LlmProvider_accountId_name_key: {
    message: "This account already has a provider with this name.",
    field: "name",
  },
};

interface DriverCause {
  originalCode?: string;
  originalMessage?: string;
  constraint?: { index?: string };
}

function driverCause(error: Prisma.PrismaClientKnownRequestError): DriverCause {
  const meta = error.meta as { driverAdapterError?: { cause?: DriverCause } } | undefined;
  return meta?.driverAdapterError?.cause ?? {};
}

/** The index a unique violation (P2002) hit, or null for any other error. */
export function uniqueViolationIndex(error: unknown): string | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== "P2002") return null;
  return driverCause(error).constraint?.index ?? null;
}

function botgateToTRPC(error: BotgateError): TRPCError {
  return new TRPCError({ code: TRPC_CODE[error.code], message: error.message, cause: error });
}

function prismaToBotgate(error: Prisma.PrismaClientKnownRequestError): BotgateError | null {
  const cause = driverCause(error);
  switch (error.code) {
    case "P2002": {
      const known = UNIQUE_VIOLATIONS[cause.constraint?.index ?? ""];
      if (!known) return new BotgateError("CONFLICT", "This record already exists.");
      return new BotgateError("CONFLICT", known.message, { fieldErrors: { [known.field]: [known.message] } });
    }
    case "P2025":
      return new BotgateError("NOT_FOUND", "Not found.");
    case "P2028":
      // No transaction slot in time: the database is overloaded, not the input wrong.
      return new BotgateError("UNAVAILABLE", "The database is busy; try again.", {
        retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
      });
    case "P2003":
      // Deleting a row something still references is a conflict with the current state;
      // anything else means a referenced row is gone.
      return cause.originalMessage?.startsWith("update or delete")
        ? new BotgateError("CONFLICT", "This record is still in use.")
        : new BotgateError("NOT_FOUND", "A referenced record does not exist.");
    default:
      // SQLSTATE class 22 (data exception: too long, out of range, bad encoding) is bad input.
      return cause.originalCode?.startsWith("22")
        ? new BotgateError("BAD_REQUEST", "A value does not fit its field.")
        : null;
  }
}

/**
 * What a thrown error means to the caller, or null for an unexpected failure (to be answered
 * as an opaque INTERNAL and logged).
 */
export function botgateErrorOf(error: unknown): BotgateError | null {
  if (error instanceof BotgateError) return error;
  if (isDatabaseUnavailable(error)) return databaseUnavailable(error);
  if (error instanceof Prisma.PrismaClientKnownRequestError) return prismaToBotgate(error);
  return null;
}

/**
 * The error a failed procedure answers with. Deliberate TRPCErrors (input validation, tiers)
 * pass through; thrown errors arrive wrapped as INTERNAL_SERVER_ERROR with the original as cause.
 */
export function toTRPCError(error: TRPCError): TRPCError {
  if (error.code !== "INTERNAL_SERVER_ERROR") return error;
  const cause = error.cause;
  const mapped = botgateErrorOf(cause);
  if (mapped) return botgateToTRPC(mapped);
  // Never echo an unexpected error's message (SQL, stack details) to the caller; onError logs it.
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: "The server failed to handle this request.",
    cause,
  });
}

/** Seconds a client should wait before retrying (the Retry-After header), when the error says. */
export function retryAfterSeconds(error: unknown): number | null {
  if (!(error instanceof BotgateError)) return null;
  const seconds = error.details?.retryAfterSeconds;
  return typeof seconds === "number" && Number.isInteger(seconds) && seconds > 0 ? seconds : null;
}

/** Per-field messages for the error shape: zod's flattened errors, or those a BotgateError carries. */
export function fieldErrorsOf(cause: unknown): Record<string, string[]> | null {
  if (!(cause instanceof BotgateError)) return null;
  const fieldErrors = cause.details?.fieldErrors;
  return typeof fieldErrors === "object" && fieldErrors !== null
    ? (fieldErrors as Record<string, string[]>)
    : null;
}
