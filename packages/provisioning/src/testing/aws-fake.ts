// A stateful fake of the Route53 and ACM calls the aws provider makes, wired into
// aws-sdk-client-mock with callsFake (fake-route53.ts, fake-acm.ts): certificates move
// PENDING_VALIDATION → ISSUED once their validation CNAMEs exist in a fake zone (or FAILED on
// demand), so a whole deploy can run against it.
import { ACMClient } from "@aws-sdk/client-acm";
import { Route53Client } from "@aws-sdk/client-route-53";
import { mockClient } from "aws-sdk-client-mock";
import { type AwsProvisioning, createAwsProvisioning } from "../aws/index.ts";
import { decodeName, unquoteTxt } from "../aws/route53.ts";
import { type AcmStub, type FakeCertificate, fakeAcm } from "./fake-acm.ts";
import { type FakeZone, fakeRoute53, type Guard, type Route53Stub } from "./fake-route53.ts";

export type { FakeCertificate, FakeZone };

export interface AwsFakeState {
  platformZoneId: string;
  zones: Map<string, FakeZone>;
  certificates: Map<string, FakeCertificate>;
  /** Moves a certificate to FAILED with an ACM FailureReason (CAA_ERROR by default). */
  failCertificate(arn: string, reason?: string): void;
  /**
   * Makes the next call of a command (its name, e.g. "ChangeResourceRecordSets") fail with this
   * error, once per call to failNext: error paths and retries without replacing the fake. With
   * `{ afterApplying: true }` the call takes effect and only its answer is lost (a timeout after
   * AWS did the work), the case idempotency exists for.
   */
  failNext(command: string, error: Error, options?: { afterApplying?: boolean }): void;
  /** The record sets of a zone as the provider would list them (decoded names). */
  records(zoneId: string): { name: string; type: string; values: string[] }[];
}

export interface AwsFake {
  route53Mock: Route53Stub;
  acmMock: AcmStub;
  state: AwsFakeState;
  provisioning: AwsProvisioning;
  /** Forgets every zone but the platform's, every certificate and the calls seen. */
  reset(): void;
}

export interface AwsFakeOptions {
  platformDomain?: string;
  /** Items per page the fake's List* calls answer (small values exercise pagination). */
  pageSize?: number;
  /** DescribeCertificate calls that still answer PENDING_VALIDATION once the records exist. */
  pendingDescribes?: number;
  /** Name servers the provisioning's checker asks (a loopback test DNS server). */
  nameServersForChecks?: string[];
}

export function createAwsFake(options: AwsFakeOptions = {}): AwsFake {
  const pageSize = options.pageSize ?? 100;
  const failures = new Map<string, { error: Error; afterApplying: boolean }[]>();
  const guard: Guard = (command, handler) => (input) => {
    const failure = failures.get(command)?.shift();
    if (failure === undefined) return handler(input);
    if (failure.afterApplying) handler(input);
    throw failure.error;
  };

  // Fake credentials: the mocks replace send(), so nothing ever signs or leaves the process.
  const credentials = { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-fake-secret" };
  const route53 = new Route53Client({ region: "us-east-1", credentials });
  const acm = new ACMClient({ region: "us-east-1", credentials });
  const route53Mock = mockClient(route53);
  const acmMock = mockClient(acm);
  const dns = fakeRoute53(route53Mock, {
    platformDomain: options.platformDomain ?? "api.botgate.test",
    pageSize,
    guard,
  });
  const ca = fakeAcm(acmMock, {
    pageSize,
    pendingDescribes: options.pendingDescribes ?? 0,
    guard,
    hasCname: dns.hasCname,
  });

  const state: AwsFakeState = {
    platformZoneId: dns.platform.id,
    zones: dns.zones,
    certificates: ca.certificates,
    failNext(command, error, { afterApplying = false } = {}) {
      failures.set(command, [...(failures.get(command) ?? []), { error, afterApplying }]);
    },
    failCertificate(arn, reason = "CAA_ERROR") {
      const certificate = ca.certificateOf(arn);
      certificate.status = "FAILED";
      certificate.failureReason = reason;
    },
    records(zoneId) {
      return dns.zoneOf(zoneId).sets.map((s) => ({
        name: decodeName(s.Name ?? ""),
        type: s.Type ?? "",
        values: (s.ResourceRecords ?? []).map((r) =>
          s.Type === "TXT" ? unquoteTxt(r.Value ?? "") : (r.Value ?? ""),
        ),
      }));
    },
  };

  const provisioning = createAwsProvisioning(
    {
      region: "us-east-1",
      platformHostedZoneId: dns.platform.id,
      nameServersForChecks: options.nameServersForChecks ?? [],
    },
    { route53, acm },
  );

  return {
    route53Mock,
    acmMock,
    state,
    provisioning,
    reset() {
      dns.reset();
      ca.certificates.clear();
      failures.clear();
      route53Mock.resetHistory();
      acmMock.resetHistory();
    },
  };
}
