// Status values exactly as the seed documents spell them (and as Postgres stores them).

export const DNS_VERIFICATION_STATUSES = ["Verifying", "Not Verified", "Verified", "Failed"] as const;
export type DnsVerificationStatus = (typeof DNS_VERIFICATION_STATUSES)[number];

export const TLS_CERTIFICATE_ISSUANCE_STATUSES = ["No Certificate", "Requested", "Issued", "Failed"] as const;
export type TlsCertificateIssuanceStatus = (typeof TLS_CERTIFICATE_ISSUANCE_STATUSES)[number];

export const CHATBOT_MODES = ["sandbox", "default", "custom", "unknown"] as const;
export type ChatbotMode = (typeof CHATBOT_MODES)[number];

export function isDnsVerificationStatus(value: unknown): value is DnsVerificationStatus {
  return (DNS_VERIFICATION_STATUSES as readonly unknown[]).includes(value);
}

export function isTlsCertificateIssuanceStatus(value: unknown): value is TlsCertificateIssuanceStatus {
  return (TLS_CERTIFICATE_ISSUANCE_STATUSES as readonly unknown[]).includes(value);
}
