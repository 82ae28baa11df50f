// Everything the edge asks of the origin, always signed with the shared secret: route
// lookups (GET /internal/resolve) and forwarded chatbot requests.
import {
  BotgateError,
  type ErrorCode,
  isErrorCode,
  parseRouteEntry,
  type RouteEntry,
  type RouteTarget,
} from "@botgate/core";
import { type ForwardedContext, signForwardedRequest } from "@botgate/forwarding";
import { readAtMost } from "./bounded-body.ts";
import type { EdgeConfig } from "./env.ts";

export interface OriginRequest {
  method: string;
  /** Origin pathname plus search. */
  path: string;
  headers: Headers;
  /** The whole body, signed byte for byte (null for none). */
  body: Uint8Array | null;
  context: ForwardedContext;
}

/** `target` query value of /internal/resolve: `host:<host>` or `id:<id>`. */
export function resolveTargetParam(target: RouteTarget): string {
  return target.kind === "host" ? `host:${target.host}` : `id:${target.id}`;
}

export class OriginClient {
  readonly #config: EdgeConfig;

  constructor(config: EdgeConfig) {
    this.#config = config;
  }

  /** The origin's answer for a route target: a record, or NEGATIVE_ROUTE when unknown. */
  async resolve(target: RouteTarget): Promise<RouteEntry> {
    const url = new URL(`${this.#config.originUrl}/internal/resolve`);
    url.searchParams.set("target", resolveTargetParam(target));
    const path = url.pathname + url.search;
    const headers = await signForwardedRequest(
      this.#config.secret,
      { method: "GET", path, headers: new Headers(), body: new Uint8Array() },
      {},
    );
    const response = await this.#fetch(url, { headers }, this.#config.resolveTimeoutMs);
    if (!response.ok) {
      await response.body?.cancel();
      throw originFailure(response, `route lookup failed: the origin answered ${response.status}`);
    }
    const entry = parseRouteEntry(await response.json().catch(() => null));
    if (entry === null) throw new BotgateError("BAD_GATEWAY", "route lookup failed: malformed origin answer");
    return entry;
  }

  /**
   * The origin's response, body untouched (streams pass through unbuffered), unless it is a
   * 5xx (checkedFailure) or a 4xx that is not JSON (bareRefusal).
   */
  async forward(request: OriginRequest): Promise<Response> {
    const url = new URL(`${this.#config.originUrl}${request.path}`);
    const signed = await signForwardedRequest(
      this.#config.secret,
      {
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body: request.body ?? new Uint8Array(),
      },
      request.context,
    );
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    const response = await this.#fetch(
      url,
      { method: request.method, headers, body: request.body, redirect: "manual" },
      this.#config.originTimeoutMs,
    );
    if (response.status >= 500) return checkedFailure(response);
    if (response.status >= 400 && !isJson(response)) throw await bareRefusal(response);
    return response;
  }

  /** fetch() with a deadline for the response headers only, so long streams are not cut. */
  async #fetch(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } catch (error) {
      const failure = controller.signal.aborted
        ? new BotgateError("GATEWAY_TIMEOUT", `the origin did not answer within ${timeoutMs} ms`)
        : new BotgateError("BAD_GATEWAY", "the origin is unreachable");
      failure.cause = error;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Retry-After the edge suggests when the origin gives none. */
export const ORIGIN_RETRY_AFTER_SECONDS = 5;
/** Error bodies are small; a larger "error" is not the platform's. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** The BotgateError codes that mean "the origin is not serving right now". */
export function isOriginDown(error: unknown): error is BotgateError {
  return (
    error instanceof BotgateError &&
    (error.code === "BAD_GATEWAY" || error.code === "GATEWAY_TIMEOUT" || error.code === "UNAVAILABLE")
  );
}

function retryAfterOf(response: Response): number {
  const seconds = Number(response.headers.get("retry-after"));
  return Number.isInteger(seconds) && seconds > 0 ? Math.min(seconds, 3600) : ORIGIN_RETRY_AFTER_SECONDS;
}

/** A failed answer from whatever stands at ORIGIN_URL (the API or a proxy in front of it). */
function originFailure(response: Response, message: string): BotgateError {
  const code: ErrorCode =
    response.status === 503 ? "UNAVAILABLE" : response.status === 504 ? "GATEWAY_TIMEOUT" : "BAD_GATEWAY";
  return new BotgateError(
    code,
    message,
    code === "UNAVAILABLE" ? { retryAfterSeconds: retryAfterOf(response) } : undefined,
  );
}

const isJson = (response: Response) =>
  /^application\/json\b/i.test(response.headers.get("content-type") ?? "");

/**
 * A 4xx without a JSON body is not the origin's app speaking but an HTTP server refusing what
 * the edge sent (the origin's own, or a front's): never passed on bare.
 */
async function bareRefusal(response: Response): Promise<BotgateError> {
  await response.body?.cancel().catch(() => {});
  if (response.status === 413) return new BotgateError("PAYLOAD_TOO_LARGE", "The request body is too large.");
  if (response.status === 431)
    return new BotgateError("HEADERS_TOO_LARGE", "The request headers are too large.");
  return new BotgateError(
    "BAD_GATEWAY",
    `the origin answered ${response.status} without the platform's JSON error`,
  );
}

/**
 * A 5xx in the platform's JSON error shape is the origin's own answer and passes through with
 * its status, except UNAVAILABLE (a 503: the database or the origin itself is down), which
 * the edge treats like an unreachable origin. Anything else (a load balancer's HTML 502) never
 * reaches the client: it becomes the edge's BAD_GATEWAY / UNAVAILABLE / GATEWAY_TIMEOUT.
 */
async function checkedFailure(response: Response): Promise<Response> {
  const json = isJson(response);
  if (!json) await response.body?.cancel().catch(() => {});
  const bytes = json ? await readAtMost(response, MAX_ERROR_BODY_BYTES) : "too_large";
  const body = bytes === "too_large" ? null : parseErrorBody(bytes);
  if (body === null) {
    throw originFailure(response, `the origin answered ${response.status} without the platform's JSON error`);
  }
  if (response.status === 503 && body.code === "UNAVAILABLE") {
    throw new BotgateError("UNAVAILABLE", body.message, {
      ...body.details,
      retryAfterSeconds: retryAfterOf(response),
    });
  }
  const headers = new Headers(response.headers);
  headers.delete("content-length");
  return new Response(bytes, { status: response.status, statusText: response.statusText, headers });
}

/**
 * The origin's own error bodies: the platform's shape (`code` one of core's ErrorCodes), or,
 * from the OpenAI surface, OpenAI's error object (`type` and `message` strings; its `code` is
 * the ErrorCode in lower case unless it is one of OpenAI's own).
 */
function parseErrorBody(
  bytes: Uint8Array,
): { code: ErrorCode; message: string; details?: Record<string, unknown> } | null {
  try {
    const { error } = JSON.parse(new TextDecoder().decode(bytes)) as { error?: Record<string, unknown> };
    if (error === undefined || error === null || typeof error.message !== "string") return null;
    if (typeof error.type === "string") {
      const upper = typeof error.code === "string" ? error.code.toUpperCase() : "";
      return { code: isErrorCode(upper) ? upper : "BAD_GATEWAY", message: error.message };
    }
    if (!isErrorCode(error.code)) return null;
    const details =
      typeof error.details === "object" && error.details !== null
        ? (error.details as Record<string, unknown>)
        : undefined;
    return { code: error.code, message: error.message, ...(details && { details }) };
  } catch {
    return null;
  }
}
