// The aws CertificateProvider on ACM: DNS-validated certificates, requested idempotently
// (IdempotencyToken), their validation CNAMEs and failure reasons read from DescribeCertificate.
import {
  type ACMClient,
  type CertificateDetail,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  type ListCertificatesCommandOutput,
  RequestCertificateCommand,
} from "@aws-sdk/client-acm";
import { BotgateError } from "@botgate/core";
import { assertIdempotencyToken, normalizeName } from "../names.ts";
import type {
  CertificateProvider,
  CertificateRequest,
  CertificateState,
  CertificateStatus,
  DnsRecord,
} from "../types.ts";
import { awsFailure, isAwsError } from "./errors.ts";

const STATUSES: CertificateStatus[] = [
  "PENDING_VALIDATION",
  "ISSUED",
  "INACTIVE",
  "EXPIRED",
  "VALIDATION_TIMED_OUT",
  "REVOKED",
  "FAILED",
];

/** ACM's FailureReason codes, said so a customer can act on them. */
const FAILURE_REASONS: Record<string, string> = {
  CAA_ERROR:
    'A CAA record on the domain does not allow Amazon to issue certificates. Add a CAA record `0 issue "amazon.com"` (or remove the restrictive ones) and deploy again.',
  DOMAIN_NOT_ALLOWED: "Amazon does not issue certificates for this domain name. Use another domain.",
  INVALID_PUBLIC_DOMAIN:
    "The domain name is not a valid public domain (check the spelling and that it is registered).",
  DOMAIN_VALIDATION_DENIED: "Amazon denied validation of this domain. Contact support.",
  ADDITIONAL_VERIFICATION_REQUIRED:
    "Amazon needs to verify this domain further before issuing a certificate. Contact support.",
  NO_AVAILABLE_CONTACTS: "Amazon found no contact for this domain to validate it.",
  OTHER:
    "The certificate authority could not issue the certificate (typically a mistyped domain name). Check the domain and deploy again.",
};
const TIMED_OUT =
  "The DNS validation records were not found within 72 hours of the request. Check that the domain's name servers point to the platform's and deploy again.";

export interface AcmCertificateProviderOptions {
  client: ACMClient;
}

export class AcmCertificateProvider implements CertificateProvider {
  readonly kind = "aws" as const;
  readonly #client: ACMClient;

  constructor(options: AcmCertificateProviderOptions) {
    this.#client = options.client;
  }

  async request(input: CertificateRequest): Promise<string> {
    assertIdempotencyToken(input.idempotencyToken);
    const domainName = normalizeName(input.domainName);
    const sans = [...new Set([domainName, ...input.subjectAlternativeNames.map(normalizeName)])];
    try {
      const answer = await this.#client.send(
        new RequestCertificateCommand({
          DomainName: domainName,
          SubjectAlternativeNames: sans,
          ValidationMethod: "DNS",
          IdempotencyToken: input.idempotencyToken,
        }),
      );
      if (answer.CertificateArn === undefined) throw new Error("RequestCertificate answered no ARN");
      return answer.CertificateArn;
    } catch (error) {
      throw awsFailure("RequestCertificate", error);
    }
  }

  async describe(arn: string): Promise<CertificateState | null> {
    let certificate: CertificateDetail | undefined;
    try {
      certificate = (await this.#client.send(new DescribeCertificateCommand({ CertificateArn: arn })))
        .Certificate;
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) return null;
      throw awsFailure("DescribeCertificate", error);
    }
    if (certificate === undefined) return null;
    const status = (certificate.Status ?? "PENDING_VALIDATION") as CertificateStatus;
    return {
      arn: certificate.CertificateArn ?? arn,
      status,
      domainName: normalizeName(certificate.DomainName ?? ""),
      subjectAlternativeNames: (certificate.SubjectAlternativeNames ?? []).map(normalizeName),
      validationRecords: validationRecords(certificate),
      failureReason: failureReason(status, certificate.FailureReason),
    };
  }

  async delete(arn: string): Promise<void> {
    try {
      await this.#client.send(new DeleteCertificateCommand({ CertificateArn: arn }));
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) return;
      if (isAwsError(error, "ResourceInUseException")) {
        throw new BotgateError(
          "CONFLICT",
          `the certificate ${arn} is still in use by another AWS resource (a load balancer or CloudFront distribution); detach it there first`,
          { provider: "aws", awsError: "ResourceInUseException" },
        );
      }
      throw awsFailure("DeleteCertificate", error);
    }
  }

  async list(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const page: ListCertificatesCommandOutput = await this.#client.send(
          new ListCertificatesCommand({
            // Without these, ACM lists only some statuses and RSA-2048 keys.
            CertificateStatuses: STATUSES,
            Includes: {
              keyTypes: ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"],
            },
            ...(nextToken ? { NextToken: nextToken } : {}),
          }),
        );
        for (const summary of page.CertificateSummaryList ?? []) {
          if (summary.CertificateArn) arns.push(summary.CertificateArn);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      throw awsFailure("ListCertificates", error);
    }
    return arns;
  }
}

/** One CNAME per distinct record: a domain and its wildcard share theirs. */
function validationRecords(certificate: CertificateDetail): DnsRecord[] {
  const records = new Map<string, DnsRecord>();
  for (const option of certificate.DomainValidationOptions ?? []) {
    const record = option.ResourceRecord;
    if (record?.Name === undefined || record.Value === undefined) continue;
    const name = normalizeName(record.Name);
    if (!records.has(name)) {
      records.set(name, { name, type: "CNAME", values: [normalizeName(record.Value)], ttl: 300 });
    }
  }
  return [...records.values()];
}

function failureReason(status: CertificateStatus, reason: string | undefined): string | null {
  if (status === "VALIDATION_TIMED_OUT") return TIMED_OUT;
  if (status === "REVOKED") return "The certificate was revoked. Deploy again to request a new one.";
  if (status === "EXPIRED") return "The certificate expired. Deploy again to request a new one.";
  if (status !== "FAILED") return null;
  if (reason === undefined) return FAILURE_REASONS.OTHER ?? null;
  return FAILURE_REASONS[reason] ?? `The certificate authority could not issue the certificate (${reason}).`;
}
