// Standard Webhooks signing (https://www.standardwebhooks.com): the `standardwebhooks`
// package computes the signature, so receivers can verify with the same library.
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

const SECRET_PREFIX = "whsec_";
/** 24 random bytes, as Svix issues them. */
const SECRET_BYTES = 24;

/** A new signing secret: `whsec_<base64 of 24 random bytes>`. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString("base64")}`;
}

export function isWebhookSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const body = value.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(body) && Buffer.from(body, "base64").length >= 24;
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/**
 * The three Standard Webhooks headers for one message. `id` stays the same on every retry of
 * a message (receivers deduplicate on it); `timestamp` is the time of this attempt.
 */
export function signWebhook(secret: string, id: string, timestamp: Date, payload: string): SignedHeaders {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestamp.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, timestamp, payload),
  };
}
