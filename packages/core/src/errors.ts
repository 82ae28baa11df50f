// One error type for the whole platform: a stable code, an HTTP status derived from it,
// and one JSON shape. The API maps it to TRPCError; the edge and origin send it as is.

export const ERROR_STATUS = {
  BAD_REQUEST: 400,
  INVALID_HOST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  HEADERS_TOO_LARGE: 431,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  BAD_GATEWAY: 502,
  NOT_READY: 503,
  UNAVAILABLE: 503,
  GATEWAY_TIMEOUT: 504,
  // LLM provider failures (packages/llm/src/upstream-errors.ts maps upstream answers to these).
  PROVIDER_REJECTED_REQUEST: 400,
  PROVIDER_RATE_LIMITED: 429,
  REQUEST_ABORTED: 499,
  PROVIDER_AUTH: 502,
  PROVIDER_MODEL_NOT_FOUND: 502,
  PROVIDER_ERROR: 502,
  PROVIDER_UNREACHABLE: 502,
  PROVIDER_STREAM_INTERRUPTED: 502,
  PROVIDER_UNAVAILABLE: 503,
  PROVIDER_TIMEOUT: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface ErrorBody {
  error: {
    code: ErrorCode;
    message: string;
    requestId?: string;
    details?: Record<string, unknown>;
  };
}

/** OpenAI's error object, as every non-2xx of the /v1 surface answers it. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's `type` per status class (the official clients pick their error class by status). */
function openAiTypeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 409) return "conflict_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

export class BotgateError extends Error {
  override readonly name = "BotgateError";
  readonly code: ErrorCode;
  /** Rendered to the caller with the error (toBody); only what any caller may read. */
  readonly details: Record<string, unknown> | undefined;
  /**
   * What only the server's log and the owner's request log may read, never a caller: e.g. an
   * LLM provider's own words about a request it rejected, which can quote the owner's system
   * prompt (packages/llm/src/upstream-errors.ts). toBody and toOpenAiBody leave it out, and it
   * is not enumerable, so serializing or spreading the error leaves it out too.
   */
  declare readonly logDetails: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
    logDetails?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.code = code;
    this.details = details;
    Object.defineProperty(this, "logDetails", { value: logDetails, enumerable: false });
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  /**
   * The same error as OpenAI's error object. `details.param` names the offending request
   * field and `details.openaiCode` overrides the code (e.g. OpenAI's own "model_not_found");
   * otherwise the code is this error's code in lower case ("rate_limited", "not_ready").
   */
  toOpenAiBody(): OpenAiErrorBody {
    const param = this.details?.param;
    const code = this.details?.openaiCode;
    return {
      error: {
        message: this.message,
        type: openAiTypeOf(this.status),
        param: typeof param === "string" ? param : null,
        code: typeof code === "string" ? code : this.code.toLowerCase(),
      },
    };
  }

  toBody(requestId?: string): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(requestId === undefined ? {} : { requestId }),
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_STATUS, value);
}
