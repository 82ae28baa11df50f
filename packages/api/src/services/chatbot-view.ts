// What chatbot.get and chatbot.list answer: the stored fields plus every derived property of
// core's deriveChatbot(), statuses in the seed's spelling. One fixed set of joins per page.
import {
  type DerivedChatbot,
  type DnsVerificationStatus,
  deriveChatbot,
  type PlatformConfig,
  type TlsCertificateIssuanceStatus,
} from "@botgate/core";
import type { Prisma } from "@botgate/db";
import type { DnsCheck } from "@botgate/provisioning";
import { chatbotFactsOf } from "./facts.ts";

export const chatbotInclude = {
  userProfile: { select: { id: true, isAccountAdmin: true, user: { select: { username: true } } } },
  customDomain: { select: { id: true, domainName: true, isVerified: true } },
  tags: { select: { name: true }, orderBy: { name: "asc" } },
  _count: { select: { apiKeys: { where: { isActive: true } } } },
} satisfies Prisma.ChatBotInclude;

export type ChatbotRow = Prisma.ChatBotGetPayload<{ include: typeof chatbotInclude }>;

export type AnnotationValue = string | number | boolean | null;

export interface ChatbotView extends DerivedChatbot {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  name: string;
  description: string;
  version: string;
  annotations: Record<string, AnnotationValue>;
  tags: string[];
  owner: { userProfileId: number; username: string; isAccountAdmin: boolean };
  deployed: boolean;
  provider: string;
  defaultModel: string | null;
  defaultSystemRole: string | null;
  defaultTemperature: number | null;
  defaultMaxTokens: number | null;
  appName: string | null;
  appAssistant: string | null;
  appWelcomeMessage: string | null;
  appExamplePrompts: string[];
  appPlaceholder: string | null;
  appInfoUrl: string | null;
  appBackgroundImageUrl: string | null;
  appLogoUrl: string | null;
  appFileAttachment: boolean;
  dnsVerificationStatus: DnsVerificationStatus;
  tlsCertificateIssuanceStatus: TlsCertificateIssuanceStatus;
  customDomainId: number | null;
  customDomain: { id: number; domainName: string; isVerified: boolean } | null;
  /** Whether end users must present one of the chatbot's API keys. */
  apiKeyRequired: boolean;
  /**
   * Where the DNS and TLS statuses came from: "local" (the embedded DNS server and local CA)
   * or "aws" (Route53 and ACM); null before the first deploy.
   */
  provisioning: "local" | "aws" | null;
  /** The default host's last DNS check: what was expected and what DNS answered. */
  dnsCheck: DnsCheck | null;
  /** When the deployment job next looks at the certificate or DNS; null: nothing scheduled. */
  nextCheckAt: Date | null;
  /** Why the certificate failed, when TLS is Failed. */
  certificateFailureReason: string | null;
}

function provisioningOf(value: string | null): "local" | "aws" | null {
  return value === "local" || value === "aws" ? value : null;
}

/** Written only by the deployment job from a DnsCheck; read defensively all the same. */
function dnsCheckOf(value: Prisma.JsonValue | null): DnsCheck | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  return "expected" in value && "outcome" in value ? (value as unknown as DnsCheck) : null;
}

/** The JSON columns are written only through validated inputs; reading stays defensive anyway. */
function annotationsOf(value: Prisma.JsonValue): Record<string, AnnotationValue> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter(
      (entry): entry is [string, AnnotationValue] => entry[1] === null || typeof entry[1] !== "object",
    ),
  );
}

function stringsOf(value: Prisma.JsonValue): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

/** The caller's account number: every chatbot a caller can see belongs to their account. */
export function toChatbotView(row: ChatbotRow, accountNumber: string, config: PlatformConfig): ChatbotView {
  const facts = chatbotFactsOf(row, accountNumber);
  const { owner, dnsVerificationStatus, tlsCertificateIssuanceStatus } = facts;
  const derived = deriveChatbot(facts, config);
  return {
    id: row.id,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    name: row.name,
    description: row.description,
    version: row.version,
    annotations: annotationsOf(row.annotations),
    tags: row.tags.map((tag) => tag.name),
    owner: { userProfileId: row.userProfile.id, ...owner },
    deployed: row.deployed,
    provider: row.provider,
    defaultModel: row.defaultModel,
    defaultSystemRole: row.defaultSystemRole,
    defaultTemperature: row.defaultTemperature,
    defaultMaxTokens: row.defaultMaxTokens,
    appName: row.appName,
    appAssistant: row.appAssistant,
    appWelcomeMessage: row.appWelcomeMessage,
    appExamplePrompts: stringsOf(row.appExamplePrompts),
    appPlaceholder: row.appPlaceholder,
    appInfoUrl: row.appInfoUrl,
    appBackgroundImageUrl: row.appBackgroundImageUrl,
    appLogoUrl: row.appLogoUrl,
    appFileAttachment: row.appFileAttachment,
    dnsVerificationStatus,
    tlsCertificateIssuanceStatus,
    customDomainId: row.customDomainId,
    customDomain: row.customDomain,
    apiKeyRequired: row._count.apiKeys > 0,
    provisioning: provisioningOf(row.provisioning),
    dnsCheck: dnsCheckOf(row.deployLastCheck),
    nextCheckAt: row.deployNextCheckAt,
    certificateFailureReason: row.certificateFailureReason,
    ...derived,
  };
}
