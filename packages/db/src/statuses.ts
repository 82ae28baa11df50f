// Prisma names enum members with identifiers (NotVerified); Postgres stores the seed's
// spelling ("Not Verified") through @map. Everything outside packages/db speaks the seed's
// spelling (@botgate/core), so these maps are the only place the two meet.
import type { DnsVerificationStatus, TlsCertificateIssuanceStatus } from "@botgate/core";
import type {
  DnsVerificationStatus as PrismaDns,
  TlsCertificateIssuanceStatus as PrismaTls,
} from "./generated/prisma/enums.ts";

type PrismaDnsStatus = (typeof PrismaDns)[keyof typeof PrismaDns];
type PrismaTlsStatus = (typeof PrismaTls)[keyof typeof PrismaTls];

const DNS_TO_SEED: Record<PrismaDnsStatus, DnsVerificationStatus> = {
  Verifying: "Verifying",
  NotVerified: "Not Verified",
  Verified: "Verified",
  Failed: "Failed",
};

const TLS_TO_SEED: Record<PrismaTlsStatus, TlsCertificateIssuanceStatus> = {
  NoCertificate: "No Certificate",
  Requested: "Requested",
  Issued: "Issued",
  Failed: "Failed",
};

const invert = <K extends string, V extends string>(map: Record<K, V>) =>
  Object.fromEntries(Object.entries(map).map(([k, v]) => [v, k])) as Record<V, K>;

const DNS_FROM_SEED = invert(DNS_TO_SEED);
const TLS_FROM_SEED = invert(TLS_TO_SEED);

export const dnsStatusToSeed = (value: PrismaDnsStatus): DnsVerificationStatus => DNS_TO_SEED[value];
export const dnsStatusFromSeed = (value: DnsVerificationStatus): PrismaDnsStatus => DNS_FROM_SEED[value];
export const tlsStatusToSeed = (value: PrismaTlsStatus): TlsCertificateIssuanceStatus => TLS_TO_SEED[value];
export const tlsStatusFromSeed = (value: TlsCertificateIssuanceStatus): PrismaTlsStatus =>
  TLS_FROM_SEED[value];
