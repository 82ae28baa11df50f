// provider.*: an account's OpenAI-compatible endpoints (LlmProvider), and what a chatbot's
// `provider` may name: one of them, "echo" (the embedded provider), or the platform default
// ("openai", from OPENAI_API_KEY) when configured. Keys are sealed with services.secrets and
// never answered; the hint (last 4 characters) tells keys apart.
import { BotgateError } from "@botgate/core";
import type { DatabaseClient, LlmProvider, Prisma } from "@botgate/db";
import { type EgressPolicy, egressUrlProblem, STRICT_EGRESS } from "@botgate/egress";
import { type ChatProvider, EchoProvider, OpenAiCompatibleProvider, providerFailureOf } from "@botgate/llm";
import type { ApiServices } from "../context.ts";
import type { CreateProviderInput, UpdateProviderInput } from "../inputs/provider.ts";
import type { Principal } from "./auth.ts";
import { notFound } from "./scope.ts";
import type { SecretBox } from "./secret-box.ts";

export const ECHO_PROVIDER = "echo";
export const PLATFORM_PROVIDER_NAME = "openai";
const RESERVED_NAMES = new Set([ECHO_PROVIDER, PLATFORM_PROVIDER_NAME]);

/** The platform default provider, from OPENAI_API_KEY / OPENAI_BASE_URL (apps/api env.ts). */
export interface PlatformProvider {
  name: typeof PLATFORM_PROVIDER_NAME;
  baseUrl: string;
  apiKey: string;
  /** Empty: any model. */
  allowedModels: string[];
  /** The model of chatbots that name none. */
  defaultModel: string;
  timeoutMs: number;
  idleTimeoutMs: number;
}

export interface ProviderView {
  id: number;
  name: string;
  baseUrl: string;
  /** The key's last characters; the key itself is never answered. */
  apiKeyHint: string;
  allowedModels: string[];
  defaultModel: string | null;
  timeoutMs: number;
  idleTimeoutMs: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProviderList {
  items: ProviderView[];
  /** Names every chatbot of the account may use besides its own providers. */
  builtIn: { name: string; allowedModels: string[] }[];
}

function toProviderView(row: LlmProvider): ProviderView {
  return {
    id: row.id,
    name: row.name,
    baseUrl: row.baseUrl,
    apiKeyHint: row.apiKeyHint,
    allowedModels: row.allowedModels,
    defaultModel: row.defaultModel,
    timeoutMs: row.timeoutMs,
    idleTimeoutMs: row.idleTimeoutMs,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** Long enough keys show their last 4 characters; short ones nothing (4 would be most of them). */
export function apiKeyHint(key: string): string {
  return key.length >= 12 ? `…${key.slice(-4)}` : "";
}

function badField(field: string, message: string): BotgateError {
  return new BotgateError("BAD_REQUEST", message, { fieldErrors: { [field]: [message] } });
}

function checkModels(allowedModels: readonly string[], defaultModel: string | null | undefined) {
  if (defaultModel != null && allowedModels.length > 0 && !allowedModels.includes(defaultModel)) {
    throw badField("defaultModel", `The default model must be one of the allowed models.`);
  }
}

/** The egress policy for account provider records (absent from the services: production's). */
export function egressPolicy(services: Pick<ApiServices, "egress">): EgressPolicy {
  return services.egress ?? STRICT_EGRESS;
}

/**
 * A base URL as written: https and no literal private/loopback address outside development.
 * The name it holds is checked again on every connection (the egress dispatcher), since DNS
 * may answer differently then.
 */
function checkBaseUrl(services: Pick<ApiServices, "egress">, baseUrl: string) {
  const problem = egressUrlProblem(new URL(baseUrl), egressPolicy(services));
  if (problem !== null) throw badField("baseUrl", `The base URL ${problem}.`);
}

async function providerInAccount(
  db: Pick<Prisma.TransactionClient, "llmProvider">,
  principal: Principal,
  id: number,
) {
  const row = await db.llmProvider.findFirst({ where: { id, accountId: principal.accountId } });
  if (row === null) throw notFound("provider", id);
  return row;
}

/**
 * Row locks that order provider writes against chatbots choosing the provider: delete and
 * update take FOR UPDATE, a chatbot write FOR SHARE, so a delete never misses a chatbot that
 * was switching to the provider at the same moment (and such a switch never lands on a
 * deleted one).
 */
async function lockProvider(tx: Prisma.TransactionClient, id: number, mode: "UPDATE" | "SHARE") {
  if (mode === "UPDATE") await tx.$queryRaw`SELECT id FROM "LlmProvider" WHERE id = ${id} FOR UPDATE`;
  else await tx.$queryRaw`SELECT id FROM "LlmProvider" WHERE id = ${id} FOR SHARE`;
}

export async function listProviders(services: ApiServices, principal: Principal): Promise<ProviderList> {
  const rows = await services.db.llmProvider.findMany({
    where: { accountId: principal.accountId },
    orderBy: { id: "asc" },
  });
  const platform = services.platformProvider ?? null;
  return {
    items: rows.map(toProviderView),
    builtIn: [
      { name: ECHO_PROVIDER, allowedModels: [] },
      ...(platform === null ? [] : [{ name: platform.name, allowedModels: platform.allowedModels }]),
    ],
  };
}

export async function createProvider(
  services: ApiServices,
  principal: Principal,
  input: CreateProviderInput,
): Promise<ProviderView> {
  if (RESERVED_NAMES.has(input.name)) {
    throw badField("name", `"${input.name}" is reserved for a built-in provider.`);
  }
  checkBaseUrl(services, input.baseUrl);
  checkModels(input.allowedModels ?? [], input.defaultModel);
  const row = await services.db.llmProvider.create({
    data: {
      accountId: principal.accountId,
      name: input.name,
      baseUrl: input.baseUrl,
      apiKeySealed: services.secrets.seal(input.apiKey),
      apiKeyHint: apiKeyHint(input.apiKey),
      allowedModels: input.allowedModels ?? [],
      defaultModel: input.defaultModel ?? null,
      ...(input.timeoutMs === undefined ? {} : { timeoutMs: input.timeoutMs }),
      ...(input.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: input.idleTimeoutMs }),
    },
  });
  return toProviderView(row);
}

export async function updateProvider(
  services: ApiServices,
  principal: Principal,
  input: UpdateProviderInput,
): Promise<ProviderView> {
  const { id, apiKey, ...fields } = input;
  if (fields.baseUrl !== undefined) checkBaseUrl(services, fields.baseUrl);
  const row = await services.db.$transaction(async (tx) => {
    const before = await providerInAccount(tx, principal, id);
    await lockProvider(tx, id, "UPDATE");
    // The stored key goes only to the URL it was given for: moving it needs the key again.
    if (fields.baseUrl !== undefined && fields.baseUrl !== before.baseUrl && apiKey === undefined) {
      throw badField("apiKey", "Changing the base URL needs the API key again.");
    }
    const allowedModels = fields.allowedModels ?? before.allowedModels;
    const defaultModel = fields.defaultModel === undefined ? before.defaultModel : fields.defaultModel;
    checkModels(allowedModels, defaultModel);
    if (allowedModels.length > 0) {
      const stranded = await tx.chatBot.count({
        where: {
          accountId: principal.accountId,
          provider: before.name,
          defaultModel: { not: null, notIn: allowedModels },
        },
      });
      if (stranded > 0) {
        const message = `${stranded} chatbot(s) of this provider use a model this list leaves out.`;
        throw new BotgateError("CONFLICT", message, { fieldErrors: { allowedModels: [message] } });
      }
    }
    return tx.llmProvider.update({
      where: { id },
      data: {
        ...fields,
        ...(apiKey === undefined
          ? {}
          : { apiKeySealed: services.secrets.seal(apiKey), apiKeyHint: apiKeyHint(apiKey) }),
      },
    });
  });
  return toProviderView(row);
}

export async function deleteProvider(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<{ id: number }> {
  await services.db.$transaction(async (tx) => {
    const row = await providerInAccount(tx, principal, id);
    await lockProvider(tx, id, "UPDATE");
    const users = await tx.chatBot.count({ where: { accountId: principal.accountId, provider: row.name } });
    if (users > 0) {
      throw new BotgateError(
        "CONFLICT",
        `${users} chatbot(s) use this provider; move them to another first.`,
        {
          chatbotCount: users,
        },
      );
    }
    await tx.llmProvider.delete({ where: { id } });
  });
  return { id };
}

// ------------------------------------------------------------------ resolving a chatbot's provider

interface ResolvedBase {
  name: string;
  /** Empty: any model. */
  allowedModels: string[];
  /** The model of chatbots that name none (null: echo, which answers under any name). */
  defaultModel: string | null;
}

export type ResolvedProvider =
  | (ResolvedBase & { kind: "echo" })
  | (ResolvedBase & { kind: "platform"; platform: PlatformProvider })
  | (ResolvedBase & { kind: "account"; record: LlmProvider });

/**
 * What a chatbot's `provider` names in its account, or null. Without a platform default,
 * "openai" (the column's default) answers through echo: the embedded development setup.
 */
export async function resolveProvider(
  db: Pick<DatabaseClient, "llmProvider"> | Pick<Prisma.TransactionClient, "llmProvider">,
  platform: PlatformProvider | null,
  accountId: number,
  name: string,
  options: { platformFallsBackToEcho: boolean } = { platformFallsBackToEcho: true },
): Promise<ResolvedProvider | null> {
  const echo = { kind: "echo", name: ECHO_PROVIDER, allowedModels: [], defaultModel: null } as const;
  if (name === ECHO_PROVIDER) return { ...echo, allowedModels: [] };
  if (name === PLATFORM_PROVIDER_NAME) {
    if (platform !== null) {
      const { allowedModels, defaultModel } = platform;
      return { kind: "platform", name, allowedModels, defaultModel, platform };
    }
    return options.platformFallsBackToEcho ? { ...echo, allowedModels: [] } : null;
  }
  const record = await db.llmProvider.findUnique({ where: { accountId_name: { accountId, name } } });
  if (record === null) return null;
  const defaultModel = record.defaultModel ?? record.allowedModels[0] ?? null;
  return { kind: "account", name, allowedModels: record.allowedModels, defaultModel, record };
}

/**
 * chatbot.create/update: the provider it names must exist for its account (checked when the
 * caller names one), and its default model must be one the provider allows.
 */
export async function assertChatbotProvider(
  tx: Prisma.TransactionClient,
  services: ApiServices,
  accountId: number,
  choice: { provider: string; defaultModel: string | null; providerNamed: boolean },
): Promise<void> {
  const resolved = await resolveProvider(tx, services.platformProvider ?? null, accountId, choice.provider, {
    // A caller naming "openai" explicitly gets the truth: no platform default here.
    platformFallsBackToEcho: !choice.providerNamed,
  });
  if (resolved === null) {
    throw badField(
      "provider",
      `No provider "${choice.provider}" in this account: use one of its providers, "echo"${
        services.platformProvider ? ` or "${PLATFORM_PROVIDER_NAME}"` : ""
      }.`,
    );
  }
  let { allowedModels } = resolved;
  if (resolved.kind === "account") {
    await lockProvider(tx, resolved.record.id, "SHARE");
    // Read again under the lock: deleted or narrowed while this transaction waited for it.
    const locked = await tx.llmProvider.findUnique({ where: { id: resolved.record.id } });
    if (locked === null) throw badField("provider", `No provider "${choice.provider}" in this account.`);
    allowedModels = locked.allowedModels;
  }
  if (
    choice.defaultModel !== null &&
    allowedModels.length > 0 &&
    !allowedModels.includes(choice.defaultModel)
  ) {
    throw badField(
      "defaultModel",
      `The "${resolved.name}" provider allows these models only: ${allowedModels.join(", ")}.`,
    );
  }
}

const sharedEcho = new EchoProvider();

/**
 * The ChatProvider a resolved provider talks through (the key opened here, held in memory
 * only). An account's record is a customer-chosen URL: it connects under `egress`; the
 * platform default (OPENAI_BASE_URL, the operator's choice) is not restricted.
 */
export function chatProviderOf(
  resolved: ResolvedProvider,
  secrets: SecretBox,
  egress: EgressPolicy = STRICT_EGRESS,
): ChatProvider {
  switch (resolved.kind) {
    case "echo":
      return sharedEcho;
    case "platform":
      return new OpenAiCompatibleProvider(resolved.platform);
    case "account":
      return new OpenAiCompatibleProvider({
        name: resolved.record.name,
        baseUrl: resolved.record.baseUrl,
        apiKey: secrets.open(resolved.record.apiKeySealed),
        timeoutMs: resolved.record.timeoutMs,
        idleTimeoutMs: resolved.record.idleTimeoutMs,
        egress,
      });
  }
}

// ------------------------------------------------------------------ provider.test

export interface ProviderTestResult {
  ok: boolean;
  model: string;
  latencyMs: number;
  error: {
    code: string;
    status: number;
    message: string;
    side: string | null;
    retryable: boolean | null;
    upstreamStatus: number | null;
    /** The provider's own words about a rejected request (redacted): the owner's to read. */
    providerMessage: string | null;
  } | null;
}

/** The longest provider.test waits, whatever the provider's own timeout. */
const TEST_TIMEOUT_MS = 15_000;

/** One tiny completion through the stored provider: its latency, or the mapped error. */
export async function testProvider(
  services: ApiServices,
  principal: Principal,
  input: { id: number; model?: string | undefined },
): Promise<ProviderTestResult> {
  const record = await providerInAccount(services.db, principal, input.id);
  const model = input.model ?? record.defaultModel ?? record.allowedModels[0];
  if (model === undefined)
    throw badField("model", "Name a model to test: this provider has no default model.");
  const provider = new OpenAiCompatibleProvider({
    name: record.name,
    baseUrl: record.baseUrl,
    apiKey: services.secrets.open(record.apiKeySealed),
    timeoutMs: Math.min(record.timeoutMs, TEST_TIMEOUT_MS),
    idleTimeoutMs: record.idleTimeoutMs,
    egress: egressPolicy(services),
  });
  const started = performance.now();
  try {
    await provider.complete({
      model,
      messages: [{ role: "user", content: "ping" }],
      temperature: null,
      maxTokens: 1,
    });
    return { ok: true, model, latencyMs: Math.round(performance.now() - started), error: null };
  } catch (error) {
    const latencyMs = Math.round(performance.now() - started);
    if (!(error instanceof BotgateError)) throw error;
    const failure = providerFailureOf(error);
    return {
      ok: false,
      model,
      latencyMs,
      error: {
        code: error.code,
        status: error.status,
        message: error.message,
        side: failure?.side ?? null,
        retryable: failure?.retryable ?? null,
        upstreamStatus: failure?.upstreamStatus ?? null,
        providerMessage:
          typeof error.logDetails?.providerMessage === "string" ? error.logDetails.providerMessage : null,
      },
    };
  }
}
