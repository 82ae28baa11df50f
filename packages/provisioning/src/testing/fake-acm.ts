// The ACM half of the AWS fake: certificates requested idempotently (IdempotencyToken within an
// hour), PENDING_VALIDATION until their validation CNAMEs exist in a fake zone, then ISSUED.
import { randomUUID } from "node:crypto";
import {
  type ACMClientResolvedConfig,
  type ServiceInputTypes as AcmInput,
  type ServiceOutputTypes as AcmOutput,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-acm";
import type { AwsStub } from "aws-sdk-client-mock";
import type { Guard } from "./fake-route53.ts";

export interface FakeCertificate {
  arn: string;
  idempotencyToken: string;
  domainName: string;
  subjectAlternativeNames: string[];
  requestedAt: number;
  status: "PENDING_VALIDATION" | "ISSUED" | "FAILED" | "VALIDATION_TIMED_OUT";
  failureReason?: string;
  /** Per distinct base name: the CNAME ACM wants. */
  validation: { domainName: string; name: string; value: string }[];
  /** Set it to make DeleteCertificate answer ResourceInUseException. */
  inUse: boolean;
  describes: number;
}

export type AcmStub = AwsStub<AcmInput, AcmOutput, ACMClientResolvedConfig>;

const ACCOUNT = "123456789012";
const meta = { $metadata: {} };

export function fakeAcm(
  acmMock: AcmStub,
  options: {
    pageSize: number;
    pendingDescribes: number;
    guard: Guard;
    hasCname: (name: string, value: string) => boolean;
  },
) {
  const { pageSize, pendingDescribes, guard } = options;
  const certificates = new Map<string, FakeCertificate>();
  const hasValidationRecord = (v: { name: string; value: string }) => options.hasCname(v.name, v.value);
  const certificateOf = (arn: string): FakeCertificate => {
    const certificate = certificates.get(arn);
    if (certificate === undefined) {
      throw new ResourceNotFoundException({ message: `Could not find certificate ${arn}.`, ...meta });
    }
    return certificate;
  };

  acmMock
    .on(RequestCertificateCommand)
    .callsFake(
      guard(
        "RequestCertificate",
        (input: { DomainName: string; SubjectAlternativeNames?: string[]; IdempotencyToken?: string }) => {
          const now = Date.now();
          const token = input.IdempotencyToken;
          if (token !== undefined) {
            if (!/^\w{1,32}$/.test(token)) throw new Error(`invalid IdempotencyToken ${token}`);
            const same = [...certificates.values()].find(
              (c) => c.idempotencyToken === token && now - c.requestedAt < 3_600_000,
            );
            if (same !== undefined) return { CertificateArn: same.arn };
          }
          const arn = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/${randomUUID()}`;
          const names = [...new Set([input.DomainName, ...(input.SubjectAlternativeNames ?? [])])];
          const byBase = new Map<string, { name: string; value: string }>();
          const validation = names.map((domainName) => {
            const base = domainName.replace(/^\*\./, "");
            let record = byBase.get(base);
            if (record === undefined) {
              const hex = () => randomUUID().replace(/-/g, "");
              record = {
                name: `_${hex()}.${base}.`,
                value: `_${hex()}.${hex().slice(0, 10)}.acm-validations.aws.`,
              };
              byBase.set(base, record);
            }
            return { domainName, ...record };
          });
          certificates.set(arn, {
            arn,
            idempotencyToken: token ?? randomUUID(),
            domainName: input.DomainName,
            subjectAlternativeNames: names,
            requestedAt: now,
            status: "PENDING_VALIDATION",
            validation,
            inUse: false,
            describes: 0,
          });
          return { CertificateArn: arn };
        },
      ),
    )
    .on(DescribeCertificateCommand)
    .callsFake(
      guard("DescribeCertificate", (input: { CertificateArn: string }) => {
        const certificate = certificateOf(input.CertificateArn);
        if (
          certificate.status === "PENDING_VALIDATION" &&
          certificate.validation.every(hasValidationRecord)
        ) {
          certificate.describes += 1;
          if (certificate.describes > pendingDescribes) certificate.status = "ISSUED";
        }
        const validated = certificate.status === "ISSUED";
        return {
          Certificate: {
            CertificateArn: certificate.arn,
            DomainName: certificate.domainName,
            SubjectAlternativeNames: [...certificate.subjectAlternativeNames],
            Status: certificate.status,
            Type: "AMAZON_ISSUED",
            KeyAlgorithm: "RSA-2048",
            ...(certificate.failureReason === undefined ? {} : { FailureReason: certificate.failureReason }),
            DomainValidationOptions: certificate.validation.map((v) => ({
              DomainName: v.domainName,
              ValidationDomain: v.domainName,
              ValidationMethod: "DNS",
              ValidationStatus: validated
                ? "SUCCESS"
                : certificate.status === "FAILED"
                  ? "FAILED"
                  : "PENDING_VALIDATION",
              ResourceRecord: { Name: v.name, Type: "CNAME", Value: v.value },
            })),
            InUseBy: [],
          },
        };
      }),
    )
    .on(DeleteCertificateCommand)
    .callsFake(
      guard("DeleteCertificate", (input: { CertificateArn: string }) => {
        const certificate = certificateOf(input.CertificateArn);
        if (certificate.inUse) {
          throw new ResourceInUseException({ message: `Certificate ${certificate.arn} is in use.`, ...meta });
        }
        certificates.delete(certificate.arn);
        return {};
      }),
    )
    .on(ListCertificatesCommand)
    .callsFake(
      guard("ListCertificates", (input: { NextToken?: string }) => {
        const all = [...certificates.values()];
        const start = input.NextToken === undefined ? 0 : Number(input.NextToken);
        const next = start + pageSize < all.length ? String(start + pageSize) : undefined;
        return {
          CertificateSummaryList: all.slice(start, start + pageSize).map((c) => ({
            CertificateArn: c.arn,
            DomainName: c.domainName,
            Status: c.status,
          })),
          ...(next === undefined ? {} : { NextToken: next }),
        };
      }),
    );

  return { certificates, certificateOf };
}
