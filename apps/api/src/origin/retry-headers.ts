// When trying again makes sense, in the headers clients act on: Retry-After (seconds) and
// Retry-After-Ms, and X-Should-Retry, which the official OpenAI clients obey over their own
// guess from the status. From a provider failure's own verdict (packages/llm), else from the
// error: rate limits, an unavailable platform and gateway timeouts are worth a retry.
import { retryAfterSeconds } from "@botgate/api";
import type { BotgateError } from "@botgate/core";
import { providerFailureOf } from "@botgate/llm";

export function retryHeadersOf(error: BotgateError): Record<string, string> {
  const headers: Record<string, string> = {};
  const failure = providerFailureOf(error);
  const retryable =
    failure?.retryable ??
    (error.status === 429 || error.code === "UNAVAILABLE" || error.code === "GATEWAY_TIMEOUT");
  headers["X-Should-Retry"] = retryable ? "true" : "false";
  const ms = failure?.retryAfterMs ?? (retryAfterSeconds(error) ?? Number.NaN) * 1000;
  if (retryable && Number.isFinite(ms) && ms >= 0) {
    headers["Retry-After"] = String(Math.max(1, Math.ceil(ms / 1000)));
    headers["Retry-After-Ms"] = String(Math.round(ms));
  }
  return headers;
}
