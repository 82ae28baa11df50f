// Which chatbot (if any) a request is for, from its Host header and pathname alone: the
// edge's first step before the routing-table lookup. Never throws.

import type { PlatformConfig } from "./config.ts";
import type { ErrorCode } from "./errors.ts";
import { hashedId, parseChatbotIdSegment, parseHashedId } from "./hashed-id.ts";
import { parseHost } from "./hosts.ts";
import { isRfc1034Label, RFC1034_NAME_MAX_LENGTH } from "./names.ts";
import { restAfter, type SplitPath, splitPath } from "./paths.ts";
import type { ValidationError } from "./result.ts";
import type { RouteRecord, RouteTarget } from "./routing.ts";
import type { ChatbotMode } from "./statuses.ts";

/** `rest` is always the path below the chatbot's root, starting with '/', query excluded. */
export type RequestClassification =
  /** Platform host + /workbench/chatbots/<hashed_id>/... */
  | { kind: "sandbox"; chatbotId: number; hashedId: string; rest: string }
  /** API host + /api/v1/chatbots/<id|hashed_id>/(chat|config|v1)/... */
  | { kind: "api"; chatbotId: number; action: "chat" | "config" | "v1"; rest: string }
  /** <name>[.<username>].<account_number>.<api domain> */
  | { kind: "default"; host: string; name: string; username?: string; accountNumber: string; rest: string }
  /** Any other well-formed host: a candidate custom host. */
  | { kind: "custom"; host: string; rest: string }
  /** The platform or API host itself, on a path that names no chatbot. */
  | { kind: "platform"; surface: "platform" | "api"; rest: string }
  | {
      kind: "invalid";
      errorCode: Extract<ErrorCode, "INVALID_HOST" | "BAD_REQUEST" | "NOT_FOUND">;
      error: ValidationError;
    };

type Invalid = Extract<RequestClassification, { kind: "invalid" }>;

export function classifyRequest(
  hostHeader: string | null | undefined,
  pathname: string,
  config: PlatformConfig,
): RequestClassification {
  const host = parseHost(hostHeader);
  if (!host.ok) return { kind: "invalid", errorCode: "INVALID_HOST", error: host.error };
  const path = splitPath(pathname);
  if (!path.ok) return { kind: "invalid", errorCode: "BAD_REQUEST", error: path.error };
  const name = host.host;

  if (name === config.platformDomain) return classifySandboxPath(path.value);
  if (name === config.apiDomain) return classifyApiPath(path.value);
  if (name.endsWith(`.${config.apiDomain}`)) return classifyDefaultHost(name, path.value, config);
  if ([config.rootDomain, config.platformDomain].some((d) => name === d || name.endsWith(`.${d}`))) {
    // Platform-owned names are never custom domains: answer without a cache lookup.
    return notFound("not_a_chatbot_host", `${name} is not a chatbot host.`);
  }
  return { kind: "custom", host: name, rest: restAfter(path.value, 0) };
}

/**
 * Whether a path below a chatbot address is on its OpenAI surface (`/v1/...`), whose errors
 * are OpenAI's error object rather than the platform's. Works on the raw pathname, so even a
 * request refused before classification (an unknown /v1 path) gets the right shape.
 */
export function isOpenAiPath(pathname: string): boolean {
  return /^(?:\/workbench\/chatbots\/[^/]+|\/api\/v1\/chatbots\/[^/]+)?\/v1(?:\/|$)/.test(pathname);
}

/** The routing-table key to look up, or null when there is nothing to look up. */
export function routeTargetFor(classification: RequestClassification): RouteTarget | null {
  switch (classification.kind) {
    case "sandbox":
    case "api":
      return { kind: "id", id: classification.chatbotId };
    case "default":
    case "custom":
      return { kind: "host", host: classification.host };
    default:
      return null;
  }
}

/**
 * The mode a request runs in, given the record its route target found. By-id access (sandbox
 * paths and /api/v1/chatbots/<id>/ paths) is "sandbox": it serves undeployed chatbots, so it
 * needs an owner's token rather than public readiness. A host hit counts only if it is the
 * record's own default host under the record's own account number, or its verified custom host.
 */
export function modeFor(classification: RequestClassification, record: RouteRecord): ChatbotMode {
  switch (classification.kind) {
    case "sandbox":
    case "api":
      return classification.chatbotId === record.chatbotId ? "sandbox" : "unknown";
    case "default":
      return classification.host === record.defaultHost &&
        classification.accountNumber === record.accountNumber
        ? "default"
        : "unknown";
    case "custom":
      return record.customHost !== null && classification.host === record.customHost ? "custom" : "unknown";
    default:
      return "unknown";
  }
}

function classifySandboxPath(path: SplitPath): RequestClassification {
  const [first, second, idSegment] = path.segments;
  if (first !== "workbench" || second !== "chatbots" || idSegment === undefined) {
    return { kind: "platform", surface: "platform", rest: restAfter(path, 0) };
  }
  const chatbotId = parseHashedId(idSegment);
  if (chatbotId === null) return notFound("unknown_chatbot_path", "No chatbot has this sandbox path.");
  return { kind: "sandbox", chatbotId, hashedId: hashedId(chatbotId), rest: restAfter(path, 3) };
}

function classifyApiPath(path: SplitPath): RequestClassification {
  const [api, version, chatbots, idSegment, action] = path.segments;
  if (api !== "api" || version !== "v1" || chatbots !== "chatbots" || idSegment === undefined) {
    return { kind: "platform", surface: "api", rest: restAfter(path, 0) };
  }
  const chatbotId = parseChatbotIdSegment(idSegment);
  if (chatbotId === null || (action !== "chat" && action !== "config" && action !== "v1")) {
    return notFound("unknown_chatbot_path", "No chatbot endpoint has this path.");
  }
  return { kind: "api", chatbotId, action, rest: restAfter(path, 5) };
}

function classifyDefaultHost(host: string, path: SplitPath, config: PlatformConfig): RequestClassification {
  const labels = host.slice(0, -(config.apiDomain.length + 1)).split(".");
  const accountNumber = labels.pop();
  const [name, username] = labels;
  if (
    accountNumber === undefined ||
    !/^\d{4}-\d{4}-\d{4}$/.test(accountNumber) ||
    name === undefined ||
    labels.length > 2 ||
    !labels.every(isRfc1034Label) ||
    labels.join(".").length > RFC1034_NAME_MAX_LENGTH
  ) {
    return notFound("not_a_chatbot_host", `${host} is not a chatbot host.`);
  }
  const rest = restAfter(path, 0);
  return username === undefined
    ? { kind: "default", host, name, accountNumber, rest }
    : { kind: "default", host, name, username, accountNumber, rest };
}

function notFound(code: string, message: string): Invalid {
  return { kind: "invalid", errorCode: "NOT_FOUND", error: { code, message } };
}
