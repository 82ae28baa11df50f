// POST /v1/chat/completions bodies, checked as strictly as OpenAI checks them, with OpenAI's
// `param` on every refusal. Every top-level field is in exactly one of three lists:
//   used:     model, messages, stream, stream_options, max_tokens, max_completion_tokens,
//             tools, tool_choice (client tools go to the provider unchanged)
//   ignored:  sampling and bookkeeping fields the chatbot's owner decides or that change
//             nothing here (temperature, top_p, penalties, seed, stop, user, metadata, ...);
//             type-checked, then dropped
//   refused:  what would change the answer's shape and cannot be honoured (n > 1, logprobs,
//             audio, non-text response_format, predicted outputs, legacy functions); 400
// Anything else is an unknown parameter (400, code `unknown_parameter`), as OpenAI answers.
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import type { ChatLimits } from "./inputs.ts";
import { type ChatMessage, type CompletionRequest, textOf } from "./provider.ts";

const text = z.string();
const textPart = z.strictObject({ type: z.literal("text"), text });
const textContent = z.union([text, z.array(textPart).min(1)]);
const imagePart = z.strictObject({
  type: z.literal("image_url"),
  image_url: z.strictObject({
    url: z.string().max(2_000_000),
    detail: z.enum(["auto", "low", "high"]).optional(),
  }),
});
const name = z.string().min(1).max(64).optional();
const toolCall = z.strictObject({
  id: z.string().min(1).max(255),
  type: z.literal("function"),
  function: z.strictObject({ name: z.string().min(1).max(64), arguments: z.string() }),
});

const message = z.discriminatedUnion("role", [
  z.strictObject({ role: z.literal("system"), content: textContent, name }),
  z.strictObject({ role: z.literal("developer"), content: textContent, name }),
  z.strictObject({
    role: z.literal("user"),
    content: z.union([text, z.array(z.union([textPart, imagePart])).min(1)]),
    name,
  }),
  z.strictObject({
    role: z.literal("assistant"),
    content: z
      .union([
        text,
        z.array(z.union([textPart, z.strictObject({ type: z.literal("refusal"), refusal: text })])),
      ])
      .nullish(),
    refusal: z.string().nullish(),
    tool_calls: z.array(toolCall).max(128).optional(),
    name,
  }),
  z.strictObject({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1).max(255) }),
]);

const tool = z.strictObject({
  type: z.literal("function"),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1-64 letters, digits, '_' or '-'"),
    description: z.string().max(8192).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});
const toolChoice = z.union([
  z.enum(["none", "auto", "required"]),
  z.strictObject({
    type: z.literal("function"),
    function: z.strictObject({ name: z.string().min(1).max(64) }),
  }),
]);

const IGNORED = {
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  seed: z.number().int().nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  user: z.string().max(256).optional(),
  safety_identifier: z.string().max(256).optional(),
  prompt_cache_key: z.string().max(256).optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  store: z.boolean().nullish(),
  service_tier: z.string().max(32).nullish(),
  logit_bias: z.record(z.string(), z.number()).nullish(),
  parallel_tool_calls: z.boolean().optional(),
  reasoning_effort: z.string().max(32).nullish(),
  verbosity: z.string().max(32).nullish(),
};

/** Accepted only with the value that changes nothing; anything else is refused with its param. */
const REFUSED: Record<string, (value: unknown) => boolean> = {
  n: (v) => v === 1 || v === null,
  logprobs: (v) => v === false || v === null,
  top_logprobs: (v) => v === null || v === 0,
  response_format: (v) => v === null || (typeof v === "object" && (v as { type?: unknown }).type === "text"),
  modalities: (v) => v === null || (Array.isArray(v) && v.length === 1 && v[0] === "text"),
  audio: (v) => v === null,
  prediction: (v) => v === null,
  web_search_options: () => false,
  functions: () => false,
  function_call: () => false,
};

export function completionsSchema(limits: ChatLimits) {
  const bounded = message.superRefine((m, ctx) => {
    const chars =
      textOf(m.content as ChatMessage["content"]).length +
      (m.role === "assistant"
        ? (m.tool_calls ?? []).reduce((sum, c) => sum + c.function.arguments.length, 0)
        : 0);
    if (chars > limits.maxMessageChars) {
      ctx.addIssue({
        code: "custom",
        message: `each message has at most ${limits.maxMessageChars} characters`,
      });
    }
  });
  return z.strictObject({
    model: z.string().min(1).max(255).optional(),
    messages: z
      .array(bounded)
      .min(1, "at least one message is required")
      .max(limits.maxMessagesPerCall, `at most ${limits.maxMessagesPerCall} messages per call`),
    stream: z.boolean().nullish(),
    stream_options: z
      .strictObject({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
      .nullish(),
    max_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    max_completion_tokens: z.number().int().min(1).max(1_000_000).nullish(),
    tools: z.array(tool).min(1).max(128).optional(),
    tool_choice: toolChoice.optional(),
    ...IGNORED,
    ...Object.fromEntries(Object.keys(REFUSED).map((key) => [key, z.unknown().optional()])),
  });
}

export type CompletionsBody = z.output<ReturnType<typeof completionsSchema>>;

const KNOWN = new Set([
  "model",
  "messages",
  "stream",
  "stream_options",
  "max_tokens",
  "max_completion_tokens",
  "tools",
  "tool_choice",
  ...Object.keys(IGNORED),
  ...Object.keys(REFUSED),
]);

const badParam = (param: string, message: string, openaiCode: string) =>
  new BotgateError("BAD_REQUEST", message, { param, openaiCode });

/** OpenAI's param notation: messages[0].content. */
const paramOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (out, key) =>
      typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    "",
  );

export function parseCompletionsBody(bodyText: string, schema: ReturnType<typeof completionsSchema>) {
  let value: unknown;
  try {
    value = JSON.parse(bodyText);
  } catch {
    throw new BotgateError("BAD_REQUEST", "The request body is not valid JSON.", {
      openaiCode: "invalid_json",
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BotgateError("BAD_REQUEST", "The request body must be a JSON object.", {
      openaiCode: "invalid_json",
    });
  }
  for (const [key, field] of Object.entries(value)) {
    if (!KNOWN.has(key))
      throw badParam(key, `Unrecognized request argument supplied: ${key}`, "unknown_parameter");
    const acceptable = REFUSED[key];
    if (acceptable !== undefined && !acceptable(field)) {
      throw badParam(key, `'${key}' is not supported by this chatbot.`, "unsupported_parameter");
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = paramOf(issue?.path ?? []);
    throw badParam(
      param,
      `Invalid value for '${param || "body"}': ${issue?.message ?? "invalid"}.`,
      "invalid_value",
    );
  }
  const body = result.data;
  if (body.tool_choice !== undefined && body.tools === undefined && body.tool_choice !== "none") {
    throw badParam(
      "tool_choice",
      "'tool_choice' is only allowed when 'tools' are specified.",
      "invalid_value",
    );
  }
  return body;
}

/** The client's part of the provider request. */
export function clientPartOf(body: CompletionsBody): {
  messages: ChatMessage[];
  maxTokens: number | undefined;
  tools: CompletionRequest["tools"];
  toolChoice: CompletionRequest["toolChoice"];
} {
  const limits = [body.max_tokens, body.max_completion_tokens].filter(
    (n): n is number => typeof n === "number",
  );
  return {
    // The schema is the openai package's message shape, field for field.
    messages: body.messages as ChatMessage[],
    maxTokens: limits.length === 0 ? undefined : Math.min(...limits),
    tools: body.tools as CompletionRequest["tools"],
    toolChoice: body.tool_choice as CompletionRequest["toolChoice"],
  };
}
