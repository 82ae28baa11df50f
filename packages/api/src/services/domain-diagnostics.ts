// What domain.get and chatbot.get show about a custom domain's DNS: each check's expectation
// next to what DNS answered (records, name servers asked, when), the next scheduled check,
// and the status in words a customer can act on, saying which provider it came from.

import type { Prisma } from "@botgate/db";
import type { DnsCheck, ProviderKind } from "@botgate/provisioning";

export type DomainStatus =
  | "Provisioning"
  | "AwaitingDns"
  | "IssuingCertificate"
  | "Verified"
  | "Failing"
  | "Failed";

export interface DomainDiagnostics {
  status: DomainStatus;
  /** Where the zone and certificate live: "local" (embedded) or "aws"; null until provisioned. */
  provisioning: ProviderKind | null;
  /** The status in a customer's words: what is happening and what to do. */
  summary: string;
  /** The last check of each kind (delegation NS, ownership TXT). */
  checks: DnsCheck[];
  lastCheckedAt: Date | null;
  nextCheckAt: Date | null;
  /** Set while a verified domain's DNS points elsewhere; routing goes after the grace period. */
  failingSince: Date | null;
  certificate: { arn: string; status: string | null } | null;
  failureReason: string | null;
}

export interface DiagnosticsRow {
  verificationStatus: DomainStatus;
  provisionedBy: string | null;
  lastChecks: Prisma.JsonValue;
  lastCheckedAt: Date | null;
  nextCheckAt: Date | null;
  failingSince: Date | null;
  certificateArn: string | null;
  certificateStatus: string | null;
  failureReason: string | null;
}

export const diagnosticsSelect = {
  verificationStatus: true,
  provisionedBy: true,
  lastChecks: true,
  lastCheckedAt: true,
  nextCheckAt: true,
  failingSince: true,
  certificateArn: true,
  certificateStatus: true,
  failureReason: true,
} as const;

function isCheck(value: unknown): value is DnsCheck {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.expected === "object" &&
    v.expected !== null &&
    Array.isArray(v.answered) &&
    typeof v.responseCode === "string" &&
    Array.isArray(v.resolver) &&
    typeof v.checkedAt === "string" &&
    typeof v.outcome === "string"
  );
}

/** Written only by the verify job; read defensively anyway. */
export function checksOf(value: Prisma.JsonValue): DnsCheck[] {
  return Array.isArray(value) ? (value as unknown[]).filter(isCheck) : [];
}

const SUMMARIES: Record<DomainStatus, string> = {
  Provisioning: "Creating the DNS zone for this domain; its name servers appear here in a moment.",
  AwaitingDns:
    "Waiting for DNS: delegate the domain to the name servers shown (NS records at your DNS " +
    "provider or registrar). Checks run every minute at first, then hourly; domain.verify checks now.",
  IssuingCertificate:
    "DNS is right. The certificate for the domain and its wildcard is being issued; nothing to do.",
  Verified: "Verified: chatbots on this domain answer on their custom hosts. DNS is re-checked periodically.",
  Failing:
    "DNS no longer points here: restore the delegation to the name servers shown before the " +
    "grace period ends, or this domain's chatbots stop answering on it.",
  Failed: "The certificate could not be issued; check the reason, then call domain.verify to start over.",
};

export function diagnosticsOf(row: DiagnosticsRow): DomainDiagnostics {
  const provisioning =
    row.provisionedBy === "aws" || row.provisionedBy === "local" ? row.provisionedBy : null;
  const where = provisioning === null ? "" : ` (provisioning: ${provisioning})`;
  return {
    status: row.verificationStatus,
    provisioning,
    summary: `${SUMMARIES[row.verificationStatus]}${where}`,
    checks: checksOf(row.lastChecks),
    lastCheckedAt: row.lastCheckedAt,
    nextCheckAt: row.nextCheckAt,
    failingSince: row.failingSince,
    certificate:
      row.certificateArn === null ? null : { arn: row.certificateArn, status: row.certificateStatus },
    failureReason: row.failureReason,
  };
}
