// The edge's only error responses: core's BotgateError in its one JSON shape, with the
// request id in the body and in X-Request-Id, or, on a chatbot's OpenAI surface (/v1/...),
// as OpenAI's error object (BotgateError.toOpenAiBody; the id is in X-Request-Id). Anything
// else thrown is a bug: logged, and answered as INTERNAL without details.
import { BotgateError, type ErrorCode, isOpenAiPath } from "@botgate/core";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { EdgeEnv } from "./types.ts";

const CODE_FOR_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
};

export function toBotgateError(error: unknown, requestId: string): BotgateError {
  if (error instanceof BotgateError) {
    // Server-side faults are worth a log line; client mistakes are not.
    if (error.status >= 500)
      console.error(`[${requestId}] ${error.code}: ${error.message}`, error.cause ?? "");
    return error;
  }
  if (error instanceof HTTPException) {
    const code = CODE_FOR_STATUS[error.status];
    if (code !== undefined) return new BotgateError(code, error.message || code.toLowerCase());
  }
  console.error(`[${requestId}] unhandled`, error);
  return new BotgateError("INTERNAL", "the edge failed to handle this request");
}

export function errorResponse(c: Context<EdgeEnv>, error: BotgateError): Response {
  const headers: Record<string, string> = { "Cache-Control": "no-store", "X-Request-Id": c.get("requestId") };
  if (error.status === 401) headers["WWW-Authenticate"] = 'Bearer realm="botgate"';
  // Set by the edge on UNAVAILABLE and RATE_LIMITED: when trying again makes sense.
  const retryAfter = error.details?.retryAfterSeconds;
  if (typeof retryAfter === "number" && Number.isInteger(retryAfter) && retryAfter > 0) {
    headers["Retry-After"] = String(retryAfter);
  }
  if (error.code === "METHOD_NOT_ALLOWED" && Array.isArray(error.details?.allowed)) {
    headers.Allow = error.details.allowed.join(", ");
  }
  if (isOpenAiPath(new URL(c.req.url).pathname)) {
    if (headers["Retry-After"] !== undefined) headers["Retry-After-Ms"] = `${headers["Retry-After"]}000`;
    // The official clients retry 408/409/429/5xx unless told not to: only when it can help.
    const retryable =
      error.status === 429 || error.code === "UNAVAILABLE" || error.code === "GATEWAY_TIMEOUT";
    headers["X-Should-Retry"] = retryable ? "true" : "false";
    return c.json(error.toOpenAiBody(), error.status as 400, headers);
  }
  return c.json(error.toBody(c.get("requestId")), error.status as 400, headers);
}
