// chatbot.* inputs: the seed's ChatBot fields, checked with core's validators where core has one.
import { MAX_EMBED_ORIGINS, normalizeEmbedOrigin, validateChatbotName, validateSemver } from "@botgate/core";
import { z } from "zod";
import { idSchema, pageInput, text, validatedBy } from "./common.ts";

const SHORT_TEXT = 255;
const LONG_TEXT = 20_000;

const httpUrl = z
  .url({ protocol: /^https?$/, message: "Must be an http(s) URL." })
  .max(2048)
  .refine((value) => !value.includes("\u0000"), "Must not contain NUL characters.");

/** Normalized to its origin (`https://Example.com/` → `https://example.com`), duplicates dropped. */
const embedOrigins = z
  .array(
    z
      .string()
      .max(300)
      .transform((value, ctx) => {
        const origin = normalizeEmbedOrigin(value);
        if (origin === null) {
          ctx.addIssue({
            code: "custom",
            message: "Must be an http(s) origin such as https://www.example.com.",
          });
          return z.NEVER;
        }
        return origin;
      }),
  )
  .max(MAX_EMBED_ORIGINS)
  .transform((origins) => [...new Set(origins)]);

const tagName = z
  .string()
  .regex(
    /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,49}$/u,
    "A tag has 1 to 50 letters, digits, spaces, '.', '_' or '-'.",
  )
  .refine((value) => !value.endsWith(" "), "A tag must not end with a space.");

const annotationValue = z.union([text(1000), z.number(), z.boolean(), z.null()]);

const annotations = z
  .record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_./-]{0,99}$/, "Invalid annotation key."), annotationValue)
  .refine((value) => Object.keys(value).length <= 50, "At most 50 annotations.");

export const chatbotFields = z.strictObject({
  name: validatedBy(validateChatbotName, 1000),
  description: text(LONG_TEXT),
  version: validatedBy(validateSemver, 1000),
  annotations,
  tags: z.array(tagName).max(20),
  provider: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/, "A provider id is lower-case letters, digits and '-'."),
  defaultModel: text(SHORT_TEXT).nullable(),
  defaultSystemRole: text(LONG_TEXT).nullable(),
  defaultTemperature: z.number().min(0).max(2).nullable(),
  defaultMaxTokens: z.number().int().min(1).max(1_000_000).nullable(),
  appName: text(SHORT_TEXT).nullable(),
  appAssistant: text(SHORT_TEXT).nullable(),
  appWelcomeMessage: text(SHORT_TEXT).nullable(),
  appExamplePrompts: z.array(text(SHORT_TEXT)).max(20),
  appPlaceholder: text(SHORT_TEXT).nullable(),
  appInfoUrl: httpUrl.nullable(),
  appBackgroundImageUrl: httpUrl.nullable(),
  appLogoUrl: httpUrl.nullable(),
  appFileAttachment: z.boolean(),
  /** Sites that may embed the chat page (the widget); empty: none. */
  appEmbedOrigins: embedOrigins,
  /** A custom domain of the caller's account; null detaches. */
  customDomainId: idSchema.nullable(),
  // Rate limits at the edge; null takes the platform default (the edge's RATE_LIMIT_* env).
  rateLimitRequests: z.number().int().min(1).max(1_000_000).nullable(),
  rateLimitClientRequests: z.number().int().min(1).max(1_000_000).nullable(),
  rateLimitWindowSeconds: z.number().int().min(1).max(86_400).nullable(),
});

export const createChatbotInput = chatbotFields.partial().required({ name: true });
export type CreateChatbotInput = z.infer<typeof createChatbotInput>;

export const updateChatbotInput = chatbotFields.partial().extend({ id: idSchema });
export type UpdateChatbotInput = z.infer<typeof updateChatbotInput>;

export type ChatbotFieldsInput = Omit<UpdateChatbotInput, "id">;

export const listChatbotsInput = z
  .strictObject({
    ...pageInput,
    deployed: z.boolean().optional(),
    /** The chatbot's current mode: sandbox (not deployed), default or custom host. */
    mode: z.enum(["sandbox", "default", "custom"]).optional(),
    tag: tagName.optional(),
    /** Case-insensitive substring of the name. */
    search: text(100).optional(),
  })
  .default({ limit: 50 });
export type ListChatbotsInput = z.infer<typeof listChatbotsInput>;

export const chatbotIdInput = z.strictObject({ id: idSchema });
