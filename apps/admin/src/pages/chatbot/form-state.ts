// The edit form's state: every chatbot field as the text a control shows, and back to
// chatbot.update's input (empty optional text becomes null). Parse failures are field errors
// of the same shape the API answers with.
import type { ChatbotView } from "@botgate/api";
import type { FieldErrors } from "../../errors.ts";

export interface FormState {
  name: string;
  description: string;
  version: string;
  tags: string;
  annotations: string;
  provider: string;
  defaultModel: string;
  defaultSystemRole: string;
  defaultTemperature: string;
  defaultMaxTokens: string;
  appName: string;
  appAssistant: string;
  appWelcomeMessage: string;
  appExamplePrompts: string;
  appPlaceholder: string;
  appInfoUrl: string;
  appBackgroundImageUrl: string;
  appLogoUrl: string;
  appFileAttachment: boolean;
  customDomainId: string;
  appEmbedOrigins: string;
  rateLimitRequests: string;
  rateLimitClientRequests: string;
  rateLimitWindowSeconds: string;
}

export function formStateOf(bot: ChatbotView): FormState {
  return {
    name: bot.name,
    description: bot.description,
    version: bot.version,
    tags: bot.tags.join(", "),
    annotations: JSON.stringify(bot.annotations, null, 2),
    provider: bot.provider,
    defaultModel: bot.defaultModel ?? "",
    defaultSystemRole: bot.defaultSystemRole ?? "",
    defaultTemperature: bot.defaultTemperature?.toString() ?? "",
    defaultMaxTokens: bot.defaultMaxTokens?.toString() ?? "",
    appName: bot.appName ?? "",
    appAssistant: bot.appAssistant ?? "",
    appWelcomeMessage: bot.appWelcomeMessage ?? "",
    appExamplePrompts: bot.appExamplePrompts.join("\n"),
    appPlaceholder: bot.appPlaceholder ?? "",
    appInfoUrl: bot.appInfoUrl ?? "",
    appBackgroundImageUrl: bot.appBackgroundImageUrl ?? "",
    appLogoUrl: bot.appLogoUrl ?? "",
    appFileAttachment: bot.appFileAttachment,
    customDomainId: bot.customDomainId?.toString() ?? "",
    appEmbedOrigins: bot.appEmbedOrigins.join("\n"),
    rateLimitRequests: bot.rateLimitRequests?.toString() ?? "",
    rateLimitClientRequests: bot.rateLimitClientRequests?.toString() ?? "",
    rateLimitWindowSeconds: bot.rateLimitWindowSeconds?.toString() ?? "",
  };
}

const orNull = (value: string) => (value.trim() === "" ? null : value);

function numberOrNull(value: string, field: string, errors: FieldErrors): number | null {
  if (value.trim() === "") return null;
  const n = Number(value);
  if (!Number.isFinite(n)) errors[field] = ["Must be a number."];
  return n;
}

export function updateInputOf(state: FormState) {
  const errors: FieldErrors = {};
  let annotations: Record<string, string | number | boolean | null> = {};
  try {
    const parsed: unknown = JSON.parse(state.annotations.trim() || "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error();
    annotations = parsed as typeof annotations;
  } catch {
    errors.annotations = ['Must be a JSON object, e.g. {"team": "support"}.'];
  }
  const input = {
    name: state.name,
    description: state.description,
    version: state.version,
    tags: state.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    annotations,
    provider: state.provider,
    defaultModel: orNull(state.defaultModel),
    defaultSystemRole: orNull(state.defaultSystemRole),
    defaultTemperature: numberOrNull(state.defaultTemperature, "defaultTemperature", errors),
    defaultMaxTokens: numberOrNull(state.defaultMaxTokens, "defaultMaxTokens", errors),
    appName: orNull(state.appName),
    appAssistant: orNull(state.appAssistant),
    appWelcomeMessage: orNull(state.appWelcomeMessage),
    appExamplePrompts: state.appExamplePrompts
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean),
    appPlaceholder: orNull(state.appPlaceholder),
    appInfoUrl: orNull(state.appInfoUrl),
    appBackgroundImageUrl: orNull(state.appBackgroundImageUrl),
    appLogoUrl: orNull(state.appLogoUrl),
    appFileAttachment: state.appFileAttachment,
    customDomainId: state.customDomainId === "" ? null : Number(state.customDomainId),
    appEmbedOrigins: state.appEmbedOrigins
      .split(/[\s,]+/)
      .map((o) => o.trim())
      .filter(Boolean),
    rateLimitRequests: numberOrNull(state.rateLimitRequests, "rateLimitRequests", errors),
    rateLimitClientRequests: numberOrNull(state.rateLimitClientRequests, "rateLimitClientRequests", errors),
    rateLimitWindowSeconds: numberOrNull(state.rateLimitWindowSeconds, "rateLimitWindowSeconds", errors),
  };
  return { input, errors };
}

/** Whether any field differs from what the form was filled with (unsaved edits). */
export function isDirty(base: FormState, state: FormState): boolean {
  return (Object.keys(state) as (keyof FormState)[]).some((key) => state[key] !== base[key]);
}

/**
 * chatbot.update's input with only the fields the user changed since the form was filled: a
 * save never writes back a stale value over a change made elsewhere to a field left alone
 * (a domain attached on the domains page, another tab's edit).
 */
export function changedInputOf(base: FormState, state: FormState) {
  const { input, errors } = updateInputOf(state);
  const changed: Partial<typeof input> = Object.fromEntries(
    Object.entries(input).filter(([key]) => state[key as keyof FormState] !== base[key as keyof FormState]),
  );
  return { input: changed, errors };
}
