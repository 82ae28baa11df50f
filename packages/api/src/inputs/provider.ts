// provider.* inputs: an account's OpenAI-compatible endpoints. The key is write-only.
import { z } from "zod";
import { idSchema, text } from "./common.ts";

/** Same shape as ChatBot.provider accepts. */
export const providerName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, "A provider name is lower-case letters, digits and '-'.");

/** Cloud metadata endpoints are never LLM providers, and would hand out the host's credentials. */
function isMetadataHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false; // not a URL: z.url() says so
  }
  return (
    /^169\.254\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === "[fd00:ec2::254]" ||
    host === "metadata.google.internal" ||
    host === "metadata"
  );
}

const baseUrl = z
  .url({ protocol: /^https?$/, message: "Must be an http(s) URL." })
  .max(2048)
  .refine((value) => !value.includes("\u0000"), "Must not contain NUL characters.")
  .refine((value) => !isMetadataHost(value), "Must not be a cloud metadata address.");

const apiKey = text(4096)
  .min(1, "An API key is required.")
  .refine((value) => value.trim() === value && !/\s/.test(value), "An API key has no whitespace.");

const modelName = text(255).min(1).regex(/^\S+$/, "A model name has no whitespace.");

const providerFields = {
  baseUrl,
  apiKey,
  /** Models the account's chatbots may use with this provider; empty: any. */
  allowedModels: z.array(modelName).max(100),
  defaultModel: modelName.nullable(),
  timeoutMs: z.number().int().min(1_000).max(600_000),
  idleTimeoutMs: z.number().int().min(1_000).max(600_000),
};

export const createProviderInput = z
  .strictObject({ name: providerName, ...providerFields })
  .partial({ allowedModels: true, defaultModel: true, timeoutMs: true, idleTimeoutMs: true });
export type CreateProviderInput = z.infer<typeof createProviderInput>;

/** The name is fixed: chatbots refer to the provider by it. */
export const updateProviderInput = z.strictObject({ id: idSchema, ...providerFields }).partial({
  baseUrl: true,
  apiKey: true,
  allowedModels: true,
  defaultModel: true,
  timeoutMs: true,
  idleTimeoutMs: true,
});
export type UpdateProviderInput = z.infer<typeof updateProviderInput>;

export const providerIdInput = z.strictObject({ id: idSchema });

export const testProviderInput = z.strictObject({
  id: idSchema,
  /** The model to try; default: the provider's default model, else its first allowed one. */
  model: modelName.optional(),
});
