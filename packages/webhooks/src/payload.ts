// The JSON body of every webhook: Standard Webhooks' recommended envelope.

export interface WebhookPayload {
  /** The event type, e.g. `dns.status_changed`. */
  type: string;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: Record<string, unknown>;
}

export function webhookPayload(type: string, occurredAt: Date, data: Record<string, unknown>): string {
  const payload: WebhookPayload = { type, timestamp: occurredAt.toISOString(), data };
  return JSON.stringify(payload);
}
