// What the derivations need to know about one chatbot: the API loads these from Postgres,
// everything else (hosts, URLs, modes, readiness) is computed from them.

import type { DnsVerificationStatus, TlsCertificateIssuanceStatus } from "./statuses.ts";

export interface ChatbotFacts {
  readonly id: number;
  /** As validated by validateChatbotName() (camelCase). */
  readonly name: string;
  readonly owner: { readonly username: string; readonly isAccountAdmin: boolean };
  readonly accountNumber: string;
  readonly deployed: boolean;
  /** domainName as stored: normalized by normalizeDomainName(). */
  readonly customDomain: { readonly domainName: string; readonly isVerified: boolean } | null;
  readonly dnsVerificationStatus: DnsVerificationStatus;
  readonly tlsCertificateIssuanceStatus: TlsCertificateIssuanceStatus;
}
