import {
  ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-acm";
import { Route53Client } from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { createAwsProvisioning } from "../src/index.ts";

const meta = { $metadata: {} };
const acm = new ACMClient({ region: "us-east-1" });
const mock = mockClient(acm);
const { certificates } = createAwsProvisioning(
  { region: "us-east-1", platformHostedZoneId: "ZPLATFORM1" },
  { route53: new Route53Client({ region: "us-east-1" }), acm },
);
const ARN = "arn:aws:acm:us-east-1:123456789012:certificate/0b2a4f1e-1111-2222-3333-444455556666";

beforeEach(() => mock.reset());

describe("the ACM certificate provider", () => {
  it("requests a DNS-validated certificate with the idempotency token and every name", async () => {
    mock.on(RequestCertificateCommand).resolves({ CertificateArn: ARN });
    const request = {
      domainName: "Example.com",
      subjectAlternativeNames: ["*.example.com"],
      idempotencyToken: "dom1example",
    };
    expect(await certificates.request(request)).toBe(ARN);
    expect(await certificates.request(request)).toBe(ARN);
    expect(mock).toHaveReceivedCommandTimes(RequestCertificateCommand, 2);
    expect(mock).toHaveReceivedNthCommandWith(RequestCertificateCommand, 2, {
      DomainName: "example.com",
      SubjectAlternativeNames: ["example.com", "*.example.com"],
      ValidationMethod: "DNS",
      IdempotencyToken: "dom1example",
    });
  });

  it("maps DescribeCertificate to the status and one validation CNAME per distinct record", async () => {
    const record = {
      Name: "_abc.example.com.",
      Type: "CNAME" as const,
      Value: "_def.xyz.acm-validations.aws.",
    };
    mock.on(DescribeCertificateCommand, { CertificateArn: ARN }).resolves({
      Certificate: {
        CertificateArn: ARN,
        DomainName: "example.com",
        SubjectAlternativeNames: ["example.com", "*.example.com"],
        Status: "PENDING_VALIDATION",
        DomainValidationOptions: [
          { DomainName: "example.com", ResourceRecord: record },
          { DomainName: "*.example.com", ResourceRecord: record },
        ],
      },
    });
    expect(await certificates.describe(ARN)).toEqual({
      arn: ARN,
      status: "PENDING_VALIDATION",
      domainName: "example.com",
      subjectAlternativeNames: ["example.com", "*.example.com"],
      validationRecords: [
        { name: "_abc.example.com", type: "CNAME", values: ["_def.xyz.acm-validations.aws"], ttl: 300 },
      ],
      failureReason: null,
    });
  });

  it("answers no validation records while ACM has not produced them yet", async () => {
    mock.on(DescribeCertificateCommand).resolves({
      Certificate: {
        CertificateArn: ARN,
        DomainName: "example.com",
        Status: "PENDING_VALIDATION",
        DomainValidationOptions: [{ DomainName: "example.com" }],
      },
    });
    expect((await certificates.describe(ARN))?.validationRecords).toEqual([]);
  });

  it.each([
    ["FAILED", "CAA_ERROR", /CAA record/],
    ["FAILED", "INVALID_PUBLIC_DOMAIN", /not a valid public domain/],
    ["FAILED", "PCA_INVALID_STATE", /\(PCA_INVALID_STATE\)/],
    ["VALIDATION_TIMED_OUT", undefined, /not found within 72 hours/],
  ] as const)("says what to do when the status is %s (%s)", async (status, reason, expected) => {
    mock.on(DescribeCertificateCommand).resolves({
      Certificate: {
        CertificateArn: ARN,
        DomainName: "example.com",
        Status: status,
        ...(reason ? { FailureReason: reason } : {}),
      },
    });
    const state = await certificates.describe(ARN);
    expect(state?.status).toBe(status);
    expect(state?.failureReason).toMatch(expected);
  });

  it("answers null for a certificate that does not exist", async () => {
    mock
      .on(DescribeCertificateCommand)
      .rejects(new ResourceNotFoundException({ message: "not found", ...meta }));
    expect(await certificates.describe(ARN)).toBeNull();
  });

  it("deletes; an absent certificate is not an error, one still in use is a clear conflict", async () => {
    mock
      .on(DeleteCertificateCommand)
      .resolvesOnce({})
      .rejectsOnce(new ResourceNotFoundException({ message: "gone", ...meta }));
    await certificates.delete(ARN);
    await certificates.delete(ARN);
    expect(mock).toHaveReceivedCommandWith(DeleteCertificateCommand, { CertificateArn: ARN });
    mock.on(DeleteCertificateCommand).rejects(new ResourceInUseException({ message: "in use", ...meta }));
    await expect(certificates.delete(ARN)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("still in use by another AWS resource"),
    });
  });

  it("lists every page of certificates of every status and key type", async () => {
    mock
      .on(ListCertificatesCommand)
      .resolvesOnce({
        CertificateSummaryList: [{ CertificateArn: "arn:1" }, { CertificateArn: "arn:2" }],
        NextToken: "t2",
      })
      .resolvesOnce({ CertificateSummaryList: [{ CertificateArn: "arn:3" }] });
    expect(await certificates.list()).toEqual(["arn:1", "arn:2", "arn:3"]);
    expect(mock).toHaveReceivedNthCommandWith(ListCertificatesCommand, 2, {
      NextToken: "t2",
      CertificateStatuses: expect.arrayContaining(["PENDING_VALIDATION", "ISSUED", "FAILED"]),
      Includes: { keyTypes: expect.arrayContaining(["RSA_2048", "EC_prime256v1"]) },
    });
  });
});
