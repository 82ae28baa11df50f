// The one mapping from what an LLM provider answered (or failed to) to our BotgateError.
// Each row says who failed:
//   - "request":       the provider refused this request's content (messages, tools, limits);
//   - "configuration": our side, the chatbot's provider record (key, model, base URL) is wrong;
//   - "provider":      the provider itself failed, was overloaded or too slow.
// Retryable rows carry retry-after when the provider sent retry-after / retry-after-ms;
// 429 and 503 always do (1 s when the provider named no time).
//
// | upstream            | code                        | status | side          | retryable |
// |---------------------|-----------------------------|--------|---------------|-----------|
// | 400                 | PROVIDER_REJECTED_REQUEST   | 400    | request       | no        |
// | 401                 | PROVIDER_AUTH               | 502    | configuration | no        |
// | 403                 | PROVIDER_AUTH               | 502    | configuration | no        |
// | 404                 | PROVIDER_MODEL_NOT_FOUND    | 502    | configuration | no        |
// | 408                 | PROVIDER_TIMEOUT            | 504    | provider      | yes       |
// | 409                 | PROVIDER_ERROR              | 502    | provider      | yes       |
// | 422                 | PROVIDER_REJECTED_REQUEST   | 400    | request       | no        |
// | 429                 | PROVIDER_RATE_LIMITED       | 429    | provider      | yes       |
// | 500                 | PROVIDER_ERROR              | 502    | provider      | yes       |
// | 502                 | PROVIDER_ERROR              | 502    | provider      | yes       |
// | 503                 | PROVIDER_UNAVAILABLE        | 503    | provider      | yes       |
// | 504                 | PROVIDER_TIMEOUT            | 504    | provider      | yes       |
// | 3xx (not followed)  | PROVIDER_ERROR              | 502    | configuration | no        |
// | other 4xx           | PROVIDER_ERROR              | 502    | provider      | no        |
// | other 5xx           | PROVIDER_ERROR              | 502    | provider      | yes       |
// | 600 and above       | PROVIDER_ERROR              | 502    | provider      | no        |
// | connect failure     | PROVIDER_UNREACHABLE        | 502    | provider      | yes       |
// | answer broke off    | PROVIDER_ERROR              | 502    | provider      | yes       |
// | private address     | PROVIDER_UNREACHABLE        | 502    | configuration | no        |
// | timeout (total/idle)| PROVIDER_TIMEOUT            | 504    | provider      | yes       |
// | error chunk / cut   | PROVIDER_STREAM_INTERRUPTED | 502    | provider      | yes       |
// |  (its type: invalid_request_error, authentication_error, permission_error,          |
// |   not_found_error, rate_limit_error: the row of 400, 401, 403, 404, 429)            |
// | malformed 200 body  | PROVIDER_ERROR              | 502    | provider      | yes       |
// | answer too large    | PROVIDER_ERROR              | 502    | provider      | no        |
// | SSE event too long  | PROVIDER_ERROR              | 502    | provider      | no        |
// | 1,000 hollow chunks | PROVIDER_ERROR              | 502    | provider      | no        |
// | caller went away    | REQUEST_ABORTED             | 499    | request       | no        |
import { BotgateError, type ErrorCode } from "@botgate/core";
import { egressRefusalOf } from "@botgate/egress";
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";

export type FailedSide = "request" | "configuration" | "provider";

export interface UpstreamErrorRow {
  code: ErrorCode;
  side: FailedSide;
  retryable: boolean;
  message: string;
}

/** Rows by upstream HTTP status; statuses not listed fall to the "other 4xx/5xx" rows. */
export const UPSTREAM_STATUS_ROWS: Readonly<Record<number, UpstreamErrorRow>> = {
  400: row("PROVIDER_REJECTED_REQUEST", "request", false, "The provider rejected the request"),
  401: row("PROVIDER_AUTH", "configuration", false, "The provider refused this chatbot's API key"),
  403: row("PROVIDER_AUTH", "configuration", false, "The provider refused this chatbot's API key"),
  404: row(
    "PROVIDER_MODEL_NOT_FOUND",
    "configuration",
    false,
    "The provider does not know this chatbot's model or endpoint",
  ),
  408: row("PROVIDER_TIMEOUT", "provider", true, "The provider timed out"),
  409: row("PROVIDER_ERROR", "provider", true, "The provider reported a conflict"),
  422: row("PROVIDER_REJECTED_REQUEST", "request", false, "The provider rejected the request"),
  429: row("PROVIDER_RATE_LIMITED", "provider", true, "The provider is rate limiting this chatbot"),
  500: row("PROVIDER_ERROR", "provider", true, "The provider failed"),
  502: row("PROVIDER_ERROR", "provider", true, "The provider failed"),
  503: row("PROVIDER_UNAVAILABLE", "provider", true, "The provider is unavailable"),
  504: row("PROVIDER_TIMEOUT", "provider", true, "The provider timed out"),
};

export const CONNECT_FAILURE_ROW = row(
  "PROVIDER_UNREACHABLE",
  "provider",
  true,
  "The provider could not be reached",
);
/**
 * The base URL's host is, or resolved to, a private address (refused by @botgate/egress when
 * connecting): the record is wrong, and trying again does not help. The address is not
 * quoted: it would tell a customer what the platform's internal names resolve to.
 */
export const PRIVATE_ADDRESS_ROW = row(
  "PROVIDER_UNREACHABLE",
  "configuration",
  false,
  "The provider's base URL leads to a private or loopback address, which chatbots may not reach",
);
export const TIMEOUT_ROW = row("PROVIDER_TIMEOUT", "provider", true, "The provider did not answer in time");
export const STREAM_INTERRUPTED_ROW = row(
  "PROVIDER_STREAM_INTERRUPTED",
  "provider",
  true,
  "The provider's stream broke off",
);
const MALFORMED_ROW = row(
  "PROVIDER_ERROR",
  "provider",
  true,
  "The provider answered in a format it should not",
);
const BROKE_OFF_ROW = row("PROVIDER_ERROR", "provider", true, "The provider's answer broke off");
const MALFORMED_STATUS_ROW = row(
  "PROVIDER_ERROR",
  "provider",
  false,
  "The provider answered with a status HTTP does not have",
);
const ABORTED_ROW = row("REQUEST_ABORTED", "request", false, "The request was cancelled");
/** A provider answer longer than the origin keeps (see bounded-response.ts); names the limit. */
export function answerTooLarge(provider: string, limitBytes: number): BotgateError {
  return new BotgateError(
    "PROVIDER_ERROR",
    `The provider's answer exceeded ${sizeOf(limitBytes)}, the longest answer the platform accepts.`,
    { providerFailure: { provider, side: "provider", retryable: false } },
  );
}

/** A server-sent event longer than the origin reads (see event-framing.ts). */
export function eventTooLong(provider: string, limitBytes: number): BotgateError {
  return new BotgateError(
    "PROVIDER_ERROR",
    `The provider's stream sent an event longer than ${sizeOf(limitBytes)}, the longest the platform reads.`,
    { providerFailure: { provider, side: "provider", retryable: false } },
  );
}

/** A stream that keeps a connection busy with chunks carrying nothing (see openai-compatible.ts). */
export function hollowStream(provider: string, chunks: number): BotgateError {
  return new BotgateError(
    "PROVIDER_ERROR",
    `The provider's stream sent ${chunks} chunks in a row that carry nothing.`,
    { providerFailure: { provider, side: "provider", retryable: false } },
  );
}

function sizeOf(bytes: number): string {
  return bytes % 1_048_576 === 0 ? `${bytes / 1_048_576} MiB` : `${bytes} bytes`;
}

function row(code: ErrorCode, side: FailedSide, retryable: boolean, message: string): UpstreamErrorRow {
  return { code, side, retryable, message };
}

/** Redirects are not followed (openai-compatible.ts): the base URL is to be corrected instead. */
const REDIRECT_ROW = row(
  "PROVIDER_ERROR",
  "configuration",
  false,
  "The provider's base URL answers with a redirect; set it to the address it redirects to",
);

export function rowForStatus(status: number): UpstreamErrorRow {
  const listed = UPSTREAM_STATUS_ROWS[status];
  if (listed !== undefined) return listed;
  if (status >= 300 && status < 400) return REDIRECT_ROW;
  // HTTP has no such status: whatever answered is not a provider to retry.
  if (status >= 600 || status < 100) return MALFORMED_STATUS_ROW;
  return status >= 500
    ? row("PROVIDER_ERROR", "provider", true, "The provider failed")
    : row("PROVIDER_ERROR", "provider", false, "The provider refused the request");
}

/** What the edge and origin need to answer a provider failure: who, retry or not, when. */
export interface ProviderFailure {
  provider: string;
  side: FailedSide;
  retryable: boolean;
  upstreamStatus?: number;
  retryAfterMs?: number;
  /** Which timeout fired: time to first byte (or the whole non-streamed call) or between chunks. */
  timeout?: "total" | "idle";
}

/** The ProviderFailure details a BotgateError from this package carries, or null. */
export function providerFailureOf(error: unknown): ProviderFailure | null {
  if (!(error instanceof BotgateError)) return null;
  const failure = error.details?.providerFailure;
  return typeof failure === "object" && failure !== null ? (failure as ProviderFailure) : null;
}

/** A provider's delay is relayed to our callers: one that says "years" is told an hour. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Milliseconds from retry-after-ms, else retry-after (seconds or an HTTP date), at most an hour. */
export function retryAfterMsOf(headers: Headers | undefined, now = Date.now()): number | undefined {
  const asked = askedRetryAfterMs(headers, now);
  return asked === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, asked);
}

function askedRetryAfterMs(headers: Headers | undefined, now: number): number | undefined {
  const ms = headers?.get("retry-after-ms");
  if (ms != null && /^\d+(\.\d+)?$/.test(ms.trim())) return positive(Math.ceil(Number(ms)));
  const after = headers?.get("retry-after")?.trim();
  if (after == null || after === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(after)) return positive(Math.ceil(Number(after) * 1000));
  // An HTTP date (IMF-fixdate, RFC 850 or asctime) starts with its day's name; Date.parse
  // alone would also take "-5" or "2026" for a year.
  if (!/^[a-z]{3}/i.test(after)) return undefined;
  // HTTP dates are GMT; asctime's does not say so, and Date.parse would read it as local time.
  const date = Date.parse(/ GMT$/i.test(after) ? after : `${after} GMT`);
  return Number.isNaN(date) ? undefined : positive(date - now);
}

/** "Now" (0, or a date already past) is no delay to relay: the row's default applies. */
const positive = (ms: number) => (ms > 0 ? ms : undefined);

const MAX_UPSTREAM_MESSAGE = 500;

const REDACTED = "[redacted]";
/** This many characters in a row of the key (or its base64) are a piece of it, cut or dropped. */
const KEY_FRAGMENT = 8;
/** What a credential looks like in a provider's text: a bearer or basic token, an sk- key. */
const CREDENTIAL_LIKE = /\b(?:(Bearer|Basic)\s+\S+|sk-[\w-]{6,})/gi;

/**
 * A provider's words as the chatbot's owner may read them (the server's log, the request log;
 * never a caller: see failure()). A provider can echo the request back (some quote the
 * Authorization header in a 400, some a masked copy of the key): the chatbot's key, which may
 * be the platform's own default key, any KEY_FRAGMENT characters in a row of it or of its
 * base64 form, and anything key-like are cut out. The rest is quoted as it came.
 */
export function redactedQuote(text: string, secret: string | undefined): string {
  // No further than a quote can reach: redaction never shortens the text.
  let redacted = text.slice(0, MAX_UPSTREAM_MESSAGE);
  for (const form of keyForms(secret)) redacted = withoutKeyFragments(redacted, form);
  redacted = redacted.replace(CREDENTIAL_LIKE, (_match, scheme: string | undefined) =>
    scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`,
  );
  return redacted.slice(0, MAX_UPSTREAM_MESSAGE);
}

const keyForms = (secret: string | undefined): string[] =>
  secret !== undefined && secret.length >= 4 ? [secret, ...base64Forms(secret)] : [];

/** The text with every run of KEY_FRAGMENT characters it shares with the key as one REDACTED. */
function withoutKeyFragments(text: string, key: string): string {
  const size = Math.min(KEY_FRAGMENT, key.length);
  const covered = new Uint8Array(text.length);
  for (let start = 0; start + size <= key.length; start++) {
    const fragment = key.slice(start, start + size);
    for (let at = text.indexOf(fragment); at !== -1; at = text.indexOf(fragment, at + 1)) {
      covered.fill(1, at, at + size);
    }
  }
  let out = "";
  for (let i = 0; i < text.length; ) {
    if (covered[i] === 1) {
      out += REDACTED;
      while (covered[i] === 1) i++;
    } else {
      out += text[i++];
    }
  }
  return out;
}

/** The key in base64, padded and not (a key is ASCII; anything else has no btoa form). */
function base64Forms(secret: string): string[] {
  try {
    const padded = btoa(secret);
    const bare = padded.replace(/=+$/, "");
    return bare === padded ? [padded] : [padded, bare];
  } catch {
    return [];
  }
}

/** A provider's machine-readable error field a caller may read: an identifier, nothing more. */
const SAFE_IDENTIFIER = /^[\w.\-[\]]{1,64}$/;

/** What an OpenAI error object says about a rejected request. */
interface ProviderRejection {
  /** The provider's free text: for the owner only (redactedQuote), never for a caller. */
  message?: string | undefined;
  /** The provider's `code`, `param` and `type`: a caller reads them when they are identifiers. */
  code?: string | undefined;
  param?: string | undefined;
  type?: string | undefined;
}

/**
 * The value when it is an identifier (`context_length_exceeded`, `messages[0].content`) and
 * repeats nothing of the key, else undefined: a provider echoing the request could put the key,
 * or a piece of it, in any field.
 */
function safeIdentifier(value: string | undefined, secret: string | undefined): string | undefined {
  if (value === undefined || !SAFE_IDENTIFIER.test(value)) return undefined;
  return redactedQuote(value, secret) === value ? value : undefined;
}

/** The status an error object inside a stream stands for, by OpenAI's error types. */
const STATUS_OF_STREAMED_ERROR: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  rate_limit_error: 429,
};

/** A rate limit or an outage always says when to come back, even when the provider did not. */
const DEFAULT_RETRY_AFTER_MS: Partial<Record<ErrorCode, number>> = {
  PROVIDER_RATE_LIMITED: 1_000,
  PROVIDER_UNAVAILABLE: 1_000,
};

function failure(
  found: UpstreamErrorRow,
  provider: string,
  extra: Omit<ProviderFailure, "provider" | "side" | "retryable"> = {},
  rejection?: ProviderRejection,
  secret?: string,
): BotgateError {
  const providerFailure: ProviderFailure = {
    provider,
    side: found.side,
    retryable: found.retryable,
    ...extra,
  };
  if (found.side !== "request" || rejection === undefined) {
    return new BotgateError(found.code, `${found.message}.`, { providerFailure });
  }
  // A caller never reads the provider's words: a rejection can quote the request, and with it
  // the owner's system prompt or a masked or encoded copy of the key. The caller gets our row's
  // message and the provider's identifiers (e.g. "code context_length_exceeded, param
  // messages"); the owner's logs get the words (logDetails, which no caller is shown).
  const fields = (["code", "param", "type"] as const).flatMap((name) => {
    const value = safeIdentifier(rejection[name], secret);
    return value === undefined ? [] : [`${name} ${value}`];
  });
  const message = fields.length === 0 ? `${found.message}.` : `${found.message} (${fields.join(", ")}).`;
  const providerMessage =
    rejection.message === undefined || rejection.message === ""
      ? undefined
      : redactedQuote(rejection.message, secret);
  return new BotgateError(
    found.code,
    message,
    { providerFailure },
    providerMessage === undefined ? undefined : { providerMessage },
  );
}

/** Our own total timeout, fired outside one call (a tool loop's whole turn). */
export function timedOut(provider: string): BotgateError {
  return failure(TIMEOUT_ROW, provider, { timeout: "total" });
}

export interface MapContext {
  provider: string;
  /** The provider's API key: cut out of the provider's words kept for the owner (redactedQuote). */
  secret?: string;
  /** Set when our own timer aborted the call. */
  timedOut?: "total" | "idle";
  /** After the first chunk: an error without a status means the stream broke off. */
  midStream?: boolean;
}

/** Any failure of an upstream call as our BotgateError (already-mapped errors pass through). */
export function mapUpstreamError(error: unknown, context: MapContext): BotgateError {
  if (error instanceof BotgateError) return error;
  const { provider } = context;
  if (context.timedOut !== undefined) return failure(TIMEOUT_ROW, provider, { timeout: context.timedOut });
  if (error instanceof APIConnectionTimeoutError) return failure(TIMEOUT_ROW, provider, { timeout: "total" });
  if (error instanceof APIUserAbortError) return failure(ABORTED_ROW, provider);
  // Before the generic connect failure: the client wraps the refusal in an APIConnectionError.
  if (egressRefusalOf(error) !== null) return failure(PRIVATE_ADDRESS_ROW, provider);
  if (error instanceof APIConnectionError) return failure(CONNECT_FAILURE_ROW, provider);
  if (error instanceof APIError) {
    if (error.status === undefined) {
      // An error object inside the stream: the provider gave up mid-answer, unless its type
      // blames the request or the record (a prompt too long, a bad key), where retrying would
      // not help.
      const rejection = rejectionOf(error);
      const status = rejection.type === undefined ? undefined : STATUS_OF_STREAMED_ERROR[rejection.type];
      if (status === undefined) return failure(STREAM_INTERRUPTED_ROW, provider);
      const found = rowForStatus(status);
      const retryAfterMs = DEFAULT_RETRY_AFTER_MS[found.code];
      return failure(
        found,
        provider,
        retryAfterMs === undefined ? {} : { retryAfterMs },
        rejection,
        context.secret,
      );
    }
    const found = rowForStatus(error.status);
    const retryAfterMs = retryAfterMsOf(error.headers) ?? DEFAULT_RETRY_AFTER_MS[found.code];
    return failure(
      found,
      provider,
      { upstreamStatus: error.status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
      rejectionOf(error),
      context.secret,
    );
  }
  if (isAbortError(error)) return failure(ABORTED_ROW, provider);
  // A 200 whose body is not JSON where JSON was promised.
  if (error instanceof SyntaxError) return failure(MALFORMED_ROW, provider);
  // undici's "terminated", socket and inflate errors while reading the body: the client wraps
  // every failure before the response in an APIConnectionError, so this one answered first.
  return failure(context.midStream ? STREAM_INTERRUPTED_ROW : BROKE_OFF_ROW, provider);
}

/** The OpenAI error object's fields, each kept only when it has the expected type. */
function rejectionOf(error: APIError): ProviderRejection {
  const body: unknown = error.error;
  if (typeof body !== "object" || body === null) return {};
  const field = (name: string) => {
    const value = (body as Record<string, unknown>)[name];
    return typeof value === "string" ? value : undefined;
  };
  return { message: field("message"), code: field("code"), param: field("param"), type: field("type") };
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
