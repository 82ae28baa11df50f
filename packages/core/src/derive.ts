// The seed's derived ChatBot properties (SPEC §4) as pure functions of the chatbot's facts
// and the platform configuration. chatbot.get returns deriveChatbot()'s result as is.

import { classifyRequest } from "./classify.ts";
import { type PlatformConfig, urlForHost } from "./config.ts";
import { BotgateError } from "./errors.ts";
import type { ChatbotFacts } from "./facts.ts";
import { hashedId } from "./hashed-id.ts";
import { parseHost } from "./hosts.ts";
import { rfc1034CompliantName } from "./names.ts";
import type { ChatbotMode } from "./statuses.ts";

type NameFacts = Pick<ChatbotFacts, "name" | "owner">;
type DefaultHostFacts = NameFacts & Pick<ChatbotFacts, "accountNumber">;
type CustomHostFacts = NameFacts & Pick<ChatbotFacts, "customDomain">;
type HostFacts = DefaultHostFacts & CustomHostFacts & Pick<ChatbotFacts, "deployed">;
type LiveFacts = Pick<ChatbotFacts, "deployed" | "dnsVerificationStatus" | "tlsCertificateIssuanceStatus">;

export interface DerivedChatbot {
  rfc1034CompliantName: string;
  hashedId: string;
  baseApiDomain: string;
  baseDefaultHost: string;
  defaultHost: string;
  defaultUrl: string;
  customHost: string | null;
  customUrl: string | null;
  sandboxHost: string;
  sandboxUrl: string;
  hostname: string;
  url: string;
  urlChatbot: string;
  urlChatConfig: string;
  /** @deprecated kept for the seed's React app; use urlChatbot. */
  urlChatapp: string;
  /** mode(url): the mode of the chatbot's own current URL. */
  mode: ChatbotMode;
  /** ready(facts, mode). */
  ready: boolean;
  /** isLive(facts): what the routing record stores as `ready`. */
  live: boolean;
}

export function baseApiDomain(config: PlatformConfig): string {
  return config.apiDomain;
}

/** `.<account_number>.<api domain>`: the default host after the chatbot's name. */
export function baseDefaultHost(facts: Pick<ChatbotFacts, "accountNumber">, config: PlatformConfig): string {
  return `.${facts.accountNumber}.${baseApiDomain(config)}`;
}

export function defaultHost(facts: DefaultHostFacts, config: PlatformConfig): string {
  return `${rfc1034CompliantName(facts)}${baseDefaultHost(facts, config)}`;
}

export function defaultUrl(facts: DefaultHostFacts, config: PlatformConfig): string {
  return urlForHost(defaultHost(facts, config), config);
}

/** `<rfc1034 name>.<custom domain>` while the domain is verified, else null. */
export function customHost(facts: CustomHostFacts): string | null {
  const domain = facts.customDomain;
  return domain?.isVerified ? `${rfc1034CompliantName(facts)}.${domain.domainName}` : null;
}

export function customUrl(facts: CustomHostFacts, config: PlatformConfig): string | null {
  const host = customHost(facts);
  return host === null ? null : urlForHost(host, config);
}

export function sandboxHost(config: PlatformConfig): string {
  return config.platformDomain;
}

export function sandboxUrl(facts: Pick<ChatbotFacts, "id">, config: PlatformConfig): string {
  return `${config.platformUrl}/workbench/chatbots/${hashedId(facts.id)}/`;
}

/** Deployed → custom host (if verified) else default host; not deployed → sandbox host. */
export function hostname(facts: HostFacts, config: PlatformConfig): string {
  if (!facts.deployed) return sandboxHost(config);
  return customHost(facts) ?? defaultHost(facts, config);
}

export function url(facts: HostFacts & Pick<ChatbotFacts, "id">, config: PlatformConfig): string {
  if (!facts.deployed) return sandboxUrl(facts, config);
  return customUrl(facts, config) ?? defaultUrl(facts, config);
}

export function urlChatbot(facts: Pick<ChatbotFacts, "id">, config: PlatformConfig): string {
  return `${config.apiUrl}/api/v1/chatbots/${hashedId(facts.id)}/chat/`;
}

export function urlChatConfig(facts: Pick<ChatbotFacts, "id">, config: PlatformConfig): string {
  return `${config.apiUrl}/api/v1/chatbots/${hashedId(facts.id)}/config/`;
}

/** @deprecated The seed's ChatApp page; use urlChatbot. */
export function urlChatapp(facts: Pick<ChatbotFacts, "id">, config: PlatformConfig): string {
  return `${config.platformUrl}/workbench/chatbots/${hashedId(facts.id)}/chat/`;
}

/**
 * The mode a URL reaches this chatbot in, by comparing its host with the chatbot's default,
 * custom and sandbox hosts (seed). The API host counts as sandbox on this chatbot's own
 * /api/v1/chatbots/<id>/ paths, as modeFor() does. Anything unparsable → "unknown".
 */
export function mode(
  target: string,
  facts: HostFacts & Pick<ChatbotFacts, "id">,
  config: PlatformConfig,
): ChatbotMode {
  if (typeof target !== "string") return "unknown";
  const match =
    /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/?#]*)([^?#]*)/i.exec(target) ?? /^([^/?#]*)([^?#]*)/.exec(target);
  const parsed = parseHost(match?.[1]);
  if (!parsed.ok) return "unknown";
  const host = parsed.host;
  if (host === defaultHost(facts, config)) return "default";
  if (host === customHost(facts)) return "custom";
  if (host === sandboxHost(config)) return "sandbox";
  const byId = classifyRequest(host, match?.[2] ?? "/", config);
  return byId.kind === "api" && byId.chatbotId === facts.id ? "sandbox" : "unknown";
}

/** Deployed, DNS Verified and TLS Issued: reachable on its public hosts. */
export function isLive(facts: LiveFacts): boolean {
  return (
    facts.deployed &&
    facts.dnsVerificationStatus === "Verified" &&
    facts.tlsCertificateIssuanceStatus === "Issued"
  );
}

/** Seed: always ready in the sandbox; otherwise only when live. */
export function ready(facts: LiveFacts, currentMode: ChatbotMode): boolean {
  return currentMode === "sandbox" || isLive(facts);
}

/** "YYYY-MM-DD HH:MM:SS System: <role>" in UTC, with the clock passed in. */
export function defaultSystemRoleEnhanced(systemRole: string, now: Date): string {
  const time = now.getTime();
  if (!Number.isFinite(time)) throw new BotgateError("INTERNAL", "defaultSystemRoleEnhanced: invalid date.");
  const stamp = now.toISOString().slice(0, 19).replace("T", " ");
  return `${stamp} System: ${systemRole}`;
}

export function deriveChatbot(facts: ChatbotFacts, config: PlatformConfig): DerivedChatbot {
  const ownUrl = url(facts, config);
  const ownMode = mode(ownUrl, facts, config);
  return {
    rfc1034CompliantName: rfc1034CompliantName(facts),
    hashedId: hashedId(facts.id),
    baseApiDomain: baseApiDomain(config),
    baseDefaultHost: baseDefaultHost(facts, config),
    defaultHost: defaultHost(facts, config),
    defaultUrl: defaultUrl(facts, config),
    customHost: customHost(facts),
    customUrl: customUrl(facts, config),
    sandboxHost: sandboxHost(config),
    sandboxUrl: sandboxUrl(facts, config),
    hostname: hostname(facts, config),
    url: ownUrl,
    urlChatbot: urlChatbot(facts, config),
    urlChatConfig: urlChatConfig(facts, config),
    urlChatapp: urlChatapp(facts, config),
    mode: ownMode,
    ready: ready(facts, ownMode),
    live: isLive(facts),
  };
}
