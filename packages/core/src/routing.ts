// The routing table shared by its writer (the API, on every mutation that changes routing)
// and its reader (the edge). Both build keys with routeKey() and both read records through
// parseRouteRecord(), so a format change is one edit here plus a bump of ROUTE_KEY_VERSION.

import { isEmbedOrigin } from "./embed.ts";
import {
  type DnsVerificationStatus,
  isDnsVerificationStatus,
  isTlsCertificateIssuanceStatus,
  type TlsCertificateIssuanceStatus,
} from "./statuses.ts";

/** Bumped when RouteRecord changes shape: old keys are then simply never read again. */
export const ROUTE_KEY_VERSION = 1;

export type RouteTarget =
  /** A default or custom hostname, already normalized by parseHost(). */
  | { kind: "host"; host: string }
  /** A chatbot id (sandbox paths and /api/v1/chatbots/<id>/ paths). */
  | { kind: "id"; id: number };

export function routeKey(target: RouteTarget): string {
  return target.kind === "host"
    ? `route:v${ROUTE_KEY_VERSION}:host:${target.host}`
    : `route:v${ROUTE_KEY_VERSION}:id:${target.id}`;
}

/** Everything the edge needs to route one request without touching Postgres. */
export interface RouteRecord {
  found: true;
  chatbotId: number;
  hashedId: string;
  accountNumber: string;
  /** The chatbot's default host; a host-key hit on it means mode "default". */
  defaultHost: string;
  /** Set only while the custom domain is verified; a host-key hit on it means mode "custom". */
  customHost: string | null;
  deployed: boolean;
  /** deployed AND DNS Verified AND TLS Issued (the sandbox ignores it). */
  ready: boolean;
  dnsVerificationStatus: DnsVerificationStatus;
  tlsCertificateIssuanceStatus: TlsCertificateIssuanceStatus;
  /** Whether end users must present one of the chatbot's own API keys. */
  apiKeyRequired: boolean;
  /** Origins whose pages may frame the chat page (the widget); absent in records written before. */
  embedOrigins: string[];
  /** Monotonic per chatbot (updatedAt in ms): a reader never replaces a newer record by an older one. */
  version: number;
}

/** Cached for unknown hosts and ids, for a short time, so floods never reach the origin. */
export interface NegativeRouteRecord {
  found: false;
}

export type RouteEntry = RouteRecord | NegativeRouteRecord;

export const NEGATIVE_ROUTE: NegativeRouteRecord = Object.freeze({ found: false });

function isRecordObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const isPositiveInt = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v > 0;
const isNonEmptyString = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/**
 * Validates a record read from Redis or the origin. Anything malformed is treated as a
 * miss (null) rather than trusted: the cache is an optimisation, never a source of truth.
 */
export function parseRouteEntry(value: unknown): RouteEntry | null {
  if (!isRecordObject(value)) return null;
  if (value.found === false) return NEGATIVE_ROUTE;
  if (value.found !== true) return null;
  const v = value;
  if (
    !isPositiveInt(v.chatbotId) ||
    !isNonEmptyString(v.hashedId) ||
    !isNonEmptyString(v.accountNumber) ||
    !isNonEmptyString(v.defaultHost) ||
    !(v.customHost === null || isNonEmptyString(v.customHost)) ||
    typeof v.deployed !== "boolean" ||
    typeof v.ready !== "boolean" ||
    !isDnsVerificationStatus(v.dnsVerificationStatus) ||
    !isTlsCertificateIssuanceStatus(v.tlsCertificateIssuanceStatus) ||
    typeof v.apiKeyRequired !== "boolean" ||
    !(
      v.embedOrigins === undefined ||
      (Array.isArray(v.embedOrigins) && v.embedOrigins.every(isEmbedOrigin))
    ) ||
    typeof v.version !== "number" ||
    !Number.isFinite(v.version)
  ) {
    return null;
  }
  return {
    found: true,
    chatbotId: v.chatbotId,
    hashedId: v.hashedId,
    accountNumber: v.accountNumber,
    defaultHost: v.defaultHost,
    customHost: v.customHost,
    deployed: v.deployed,
    ready: v.ready,
    dnsVerificationStatus: v.dnsVerificationStatus,
    tlsCertificateIssuanceStatus: v.tlsCertificateIssuanceStatus,
    apiKeyRequired: v.apiKeyRequired,
    embedOrigins: Array.isArray(v.embedOrigins) ? (v.embedOrigins as string[]) : [],
    version: v.version,
  };
}
