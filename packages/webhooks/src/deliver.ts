// One delivery attempt: sign, POST with a timeout, classify the answer. Redirects are not
// followed (a redirect could point anywhere, including the platform's internals). Outside
// development the POST goes through @botgate/egress's dispatcher, which refuses private
// addresses when connecting; the check before it only gives an early, readable reason.
import type { LookupFunction } from "node:net";
import { egressFetch, egressRefusalOf, privateDestinationReason } from "@botgate/egress";
import { signWebhook } from "./signing.ts";

export type DeliveryOutcome =
  /** A 2xx answer. */
  | "delivered"
  /** 410 Gone: the receiver asks to stop; the endpoint is disabled at once. */
  | "disable"
  /** Any other answer, a timeout or a connection error: try again later. */
  | "retry";

export interface DeliveryAttempt {
  url: string;
  secret: string;
  /** The `webhook-id`: the same on every attempt of one message. */
  messageId: string;
  payload: string;
  timeoutMs: number;
  /** Refuse hosts that resolve to private addresses (every setup but development). */
  refusePrivateAddresses: boolean;
  /** How host names are resolved (node:net lookup); default the system resolver. Tests only. */
  lookup?: LookupFunction;
  /** The attempt's time (the signed `webhook-timestamp`). */
  now?: Date;
  /** Tests only: replaces the fetch (and with it the connect-time guard). */
  fetch?: typeof fetch;
}

export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** The receiver's HTTP status, or null when no answer came. */
  status: number | null;
  /** What went wrong, in words; null when delivered. */
  error: string | null;
  durationMs: number;
}

export const USER_AGENT = "botgate-webhooks/1";

export function classifyStatus(status: number): DeliveryOutcome {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 410) return "disable";
  return "retry";
}

export async function deliverWebhook(attempt: DeliveryAttempt): Promise<DeliveryResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const lookup = attempt.lookup === undefined ? {} : { lookup: attempt.lookup };
  const doFetch = attempt.fetch ?? egressFetch({ development: !attempt.refusePrivateAddresses, ...lookup });
  try {
    if (attempt.refusePrivateAddresses) {
      const reason = await privateDestinationReason(new URL(attempt.url), attempt.lookup);
      if (reason !== null)
        return { outcome: "retry", status: null, error: `refused: ${reason}`, durationMs: elapsed() };
    }
    const headers = signWebhook(
      attempt.secret,
      attempt.messageId,
      attempt.now ?? new Date(),
      attempt.payload,
    );
    const response = await doFetch(attempt.url, {
      method: "POST",
      headers: { ...headers, "content-type": "application/json", "user-agent": USER_AGENT },
      body: attempt.payload,
      redirect: "manual",
      signal: AbortSignal.timeout(attempt.timeoutMs),
    });
    // The body is not needed; do not let a slow or endless one hold the attempt.
    await response.body?.cancel().catch(() => {});
    const outcome = classifyStatus(response.status);
    return {
      outcome,
      status: response.status,
      error: outcome === "delivered" ? null : statusError(response.status),
      durationMs: elapsed(),
    };
  } catch (error) {
    return {
      outcome: "retry",
      status: null,
      error: failureReason(error, attempt.timeoutMs),
      durationMs: elapsed(),
    };
  }
}

function statusError(status: number): string {
  if (status >= 300 && status < 400) return `answered ${status}; redirects are not followed`;
  if (status === 410) return "answered 410 Gone";
  return `answered ${status}`;
}

function failureReason(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `no answer within ${timeoutMs} ms`;
  }
  // The connect-time guard: the name resolved to a private address when connecting.
  const refused = egressRefusalOf(error);
  if (refused !== null) return `refused: ${refused.message}`;
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === "string") return `connection failed (${cause.code})`;
  if (error instanceof Error) return error.message;
  return "the request failed";
}
