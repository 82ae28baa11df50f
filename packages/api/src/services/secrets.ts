// Admin tokens and chatbot API keys: high-entropy random strings shown once; only a SHA-256
// hash is stored (a slow KDF adds nothing for 192-bit random secrets) plus a short prefix
// so people can tell their keys apart.
import { createHash, randomBytes } from "node:crypto";

const KIND_PREFIX = { admin: "bga_", apiKey: "bgk_" } as const;
export type SecretKind = keyof typeof KIND_PREFIX;

export interface NewSecret {
  plaintext: string;
  hash: string;
  prefix: string;
}

export function generateSecret(kind: SecretKind): NewSecret {
  const plaintext = `${KIND_PREFIX[kind]}${randomBytes(24).toString("base64url")}`;
  return { plaintext, hash: hashSecret(plaintext), prefix: plaintext.slice(0, 12) };
}

export function hashSecret(plaintext: string): string {
  return createHash("sha256").update(plaintext).digest("hex");
}
