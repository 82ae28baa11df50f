// Telling "the database cannot be reached right now" apart from every other failure, whatever
// layer reports it: Prisma's connection error codes, the driver adapter's error kinds, the
// SQLSTATEs of a server that is shutting down or starting, and the errors node-postgres and
// Node's sockets raise themselves (which reach callers unconverted, e.g. "Connection
// terminated unexpectedly" on a pooled connection the server closed). Seen with
// @prisma/adapter-pg 7 against a stopped PostgreSQL 15 and a stopped pglite-socket server.
import { BotgateError } from "@botgate/core";
import { Prisma } from "@botgate/db";

/** What an outage answer tells clients to wait before trying again. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * P1001 can't reach, P1002 reach timed out, P1008 operation timed out, P1017 server closed
 * the connection, P2024 no pool connection in time, P2037 too many connections.
 */
const PRISMA_CONNECTION_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
/** @prisma/adapter-pg's names for the same (raw queries report them under P2010). */
const ADAPTER_CONNECTION_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
]);
/** Class 08 connection exception, 57P01-57P03 shutdown/crash/starting up, 53300 too many connections. */
const CONNECTION_SQLSTATE = /^(08...|57P0[1-3]|53300)$/;
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
/** node-postgres (pg, pg-pool) raises these as plain Errors without a code. */
const PG_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

interface AdapterCause {
  kind?: unknown;
  code?: unknown;
  originalCode?: unknown;
}

function isConnectionCause(cause: AdapterCause | undefined): boolean {
  if (cause === undefined) return false;
  if (typeof cause.kind === "string" && ADAPTER_CONNECTION_KINDS.has(cause.kind)) return true;
  const sqlState = cause.originalCode ?? cause.code;
  return typeof sqlState === "string" && CONNECTION_SQLSTATE.test(sqlState);
}

function isConnectionFailure(error: Error): boolean {
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    if (PRISMA_CONNECTION_CODES.has(error.code)) return true;
    const meta = error.meta as { driverAdapterError?: { cause?: AdapterCause } } | undefined;
    return isConnectionCause(meta?.driverAdapterError?.cause);
  }
  if (error.name === "DriverAdapterError") return isConnectionCause(error.cause as AdapterCause | undefined);
  const { code, syscall, severity } = error as { code?: unknown; syscall?: unknown; severity?: unknown };
  if (typeof code === "string") {
    // A socket error from Node, or a PostgreSQL error (pg's DatabaseError carries a severity).
    if (typeof syscall === "string") return SOCKET_CODES.has(code);
    if (typeof severity === "string") return CONNECTION_SQLSTATE.test(code);
    return false;
  }
  return error.constructor === Error && PG_CONNECTION_MESSAGE.test(error.message);
}

/** True when this error, or one it was caused by, means the database is unreachable for now. */
export function isDatabaseUnavailable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    if (isConnectionFailure(current)) return true;
    current = current.cause;
  }
  return false;
}

/** The answer to a request that failed because of an outage; the original stays as the cause, for logs. */
export function databaseUnavailable(cause: unknown): BotgateError {
  const error = new BotgateError("UNAVAILABLE", "The database is unavailable; try again shortly.", {
    retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
  });
  error.cause = cause;
  return error;
}

/** One log line for a failure (Prisma's messages carry a multi-line code frame before the point). */
export function failureSummary(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lastLine = error.message.trim().split("\n").at(-1) ?? "";
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === "string" ? ` ${code}` : ""}: ${lastLine}`;
}
