// Secrets the platform must read back (LLM provider API keys, webhook signing secrets), sealed
// at rest with AES-256-GCM under SECRETS_ENCRYPTION_KEY. A sealed value is
// `v1.<iv>.<ciphertext+tag>` (base64url); the version leaves room for key rotation.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { BotgateError } from "@botgate/core";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretBox {
  seal(plaintext: string): string;
  /** @throws BotgateError INTERNAL when the value was not sealed under this key. */
  open(sealed: string): string;
}

/** Parses SECRETS_ENCRYPTION_KEY: 32 bytes, as 64 hex digits or base64 (url-safe or not). */
export function parseSecretsKey(text: string): Uint8Array | null {
  const bytes = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, "hex") : Buffer.from(text, "base64");
  return bytes.length === 32 ? new Uint8Array(bytes) : null;
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error("a secret box key is 32 bytes");
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed) {
      const [version, iv, body] = sealed.split(".");
      if (version !== VERSION || iv === undefined || body === undefined) throw unreadable();
      const bytes = Buffer.from(body, "base64url");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw unreadable();
      }
    },
  };
}

const unreadable = () =>
  new BotgateError("INTERNAL", "A stored secret cannot be decrypted with SECRETS_ENCRYPTION_KEY.");

/**
 * The key a development setup uses when SECRETS_ENCRYPTION_KEY is unset. Public, like the
 * development edge secret: apps/api/src/env.ts refuses to start without a real key elsewhere.
 */
export const DEVELOPMENT_SECRETS_KEY = new Uint8Array(32).fill(0x42);

/** SECRETS_ENCRYPTION_KEY (already validated by the app's env.ts), else the development key. */
export function secretBoxFor(configuredKey: string | undefined): SecretBox {
  const key = configuredKey === undefined ? DEVELOPMENT_SECRETS_KEY : parseSecretsKey(configuredKey);
  if (key === null) throw new Error("SECRETS_ENCRYPTION_KEY is not 32 bytes");
  return createSecretBox(key);
}
