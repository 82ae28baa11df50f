// A stateful fake of the Route53 and ACM calls the aws provider makes, wired into
// aws-sdk-client-mock with callsFake: zones and record sets with Route53's rules (CallerReference
// idempotency, atomic change batches, DELETE only with the exact current values, quoted TXT,
// non-empty zones cannot be deleted), and certificates that move PENDING_VALIDATION → ISSUED
// once their validation CNAMEs exist in a fake zone (or FAILED on demand).
import { randomUUID } from "node:crypto";
import type { ACMClientResolvedConfig } from "@aws-sdk/client-acm";
import {
  ACMClient,
  type ServiceInputTypes as AcmInput,
  type ServiceOutputTypes as AcmOutput,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ListCertificatesCommand,
  RequestCertificateCommand,
  ResourceInUseException,
  ResourceNotFoundException,
} from "@aws-sdk/client-acm";
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  HostedZoneAlreadyExists,
  HostedZoneNotEmpty,
  InvalidChangeBatch,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  type ResourceRecordSet,
  Route53Client,
  type Route53ClientResolvedConfig,
  type ServiceInputTypes as Route53Input,
  type ServiceOutputTypes as Route53Output,
} from "@aws-sdk/client-route-53";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { type AwsProvisioning, createAwsProvisioning } from "../aws/index.ts";
import { decodeName, unquoteTxt, zoneIdOf } from "../aws/route53.ts";
import { normalizeName } from "../names.ts";

export interface FakeZone {
  id: string;
  /** With the trailing dot, as Route53 answers it. */
  name: string;
  callerReference: string;
  nameServers: string[];
  sets: ResourceRecordSet[];
}

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
  route53Mock: AwsStub<Route53Input, Route53Output, Route53ClientResolvedConfig>;
  acmMock: AwsStub<AcmInput, AcmOutput, ACMClientResolvedConfig>;
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

const ACCOUNT = "123456789012";
const meta = { $metadata: {} };

export function createAwsFake(options: AwsFakeOptions = {}): AwsFake {
  const pageSize = options.pageSize ?? 100;
  const pendingDescribes = options.pendingDescribes ?? 0;
  const zones = new Map<string, FakeZone>();
  const certificates = new Map<string, FakeCertificate>();
  let zoneCounter = 0;
  const failures = new Map<string, { error: Error; afterApplying: boolean }[]>();
  /** Runs a handler, failing before or after it when a failure was queued for its command. */
  const guard =
    <I, O>(command: string, handler: (input: I) => O) =>
    (input: I): O => {
      const failure = failures.get(command)?.shift();
      if (failure === undefined) return handler(input);
      if (failure.afterApplying) handler(input);
      throw failure.error;
    };

  const addZone = (name: string, callerReference: string): FakeZone => {
    zoneCounter += 1;
    const id = `Z${String(zoneCounter).padStart(6, "0")}FAKE${randomUUID().slice(0, 8).toUpperCase()}`;
    const apex = `${normalizeName(name)}.`;
    const nameServers = [1, 2, 3, 4].map(
      (n) => `ns-${zoneCounter * 10 + n}.awsdns-0${n}.${["com", "net", "org", "co.uk"][n - 1]}`,
    );
    const zone: FakeZone = {
      id,
      name: apex,
      callerReference,
      nameServers,
      sets: [
        {
          Name: apex,
          Type: "NS",
          TTL: 172_800,
          ResourceRecords: nameServers.map((ns) => ({ Value: `${ns}.` })),
        },
        {
          Name: apex,
          Type: "SOA",
          TTL: 900,
          ResourceRecords: [
            { Value: `${nameServers[0]}. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` },
          ],
        },
      ],
    };
    zones.set(id, zone);
    return zone;
  };
  const platform = addZone(options.platformDomain ?? "api.botgate.test", "botgate-platform");

  const zoneOf = (id: string | undefined): FakeZone => {
    const zone = zones.get(zoneIdOf(id ?? ""));
    if (zone === undefined)
      throw new NoSuchHostedZone({ message: `No hosted zone found with ID: ${id}`, ...meta });
    return zone;
  };
  const wire = (zone: FakeZone) => ({
    HostedZone: {
      Id: `/hostedzone/${zone.id}`,
      Name: zone.name,
      CallerReference: zone.callerReference,
      Config: { PrivateZone: false },
      ResourceRecordSetCount: zone.sets.length,
    },
    DelegationSet: { NameServers: [...zone.nameServers] },
  });

  const route53 = new Route53Client({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-fake-secret" },
  });
  const acm = new ACMClient({
    region: "us-east-1",
    credentials: { accessKeyId: "AKIAFAKEFAKEFAKE", secretAccessKey: "fake-secret-fake-secret" },
  });
  const route53Mock = mockClient(route53);
  const acmMock = mockClient(acm);

  route53Mock
    .on(CreateHostedZoneCommand)
    .callsFake(
      guard("CreateHostedZone", (input: { Name: string; CallerReference: string }) => {
        const used = [...zones.values()].find((z) => z.callerReference === input.CallerReference);
        if (used !== undefined) {
          throw new HostedZoneAlreadyExists({
            message: `A hosted zone has already been created with the specified caller reference.`,
            ...meta,
          });
        }
        const zone = addZone(input.Name, input.CallerReference);
        return {
          ...wire(zone),
          ChangeInfo: { Id: "/change/C1", Status: "INSYNC", SubmittedAt: new Date() },
          Location: `https://route53.amazonaws.com/2013-04-01/hostedzone/${zone.id}`,
        };
      }),
    )
    .on(GetHostedZoneCommand)
    .callsFake(guard("GetHostedZone", (input: { Id: string }) => wire(zoneOf(input.Id))))
    .on(ListHostedZonesCommand)
    .callsFake(
      guard("ListHostedZones", (input: { Marker?: string }) => {
        const all = [...zones.values()].sort((a, b) => a.id.localeCompare(b.id));
        const start = input.Marker === undefined ? 0 : all.findIndex((z) => z.id === input.Marker);
        const page = all.slice(start, start + pageSize);
        const next = all[start + pageSize];
        return {
          HostedZones: page.map((z) => wire(z).HostedZone),
          IsTruncated: next !== undefined,
          ...(next === undefined ? {} : { NextMarker: next.id }),
          MaxItems: pageSize,
          Marker: input.Marker ?? "",
        };
      }),
    )
    .on(ListHostedZonesByNameCommand)
    .callsFake(
      guard("ListHostedZonesByName", (input: { DNSName?: string; HostedZoneId?: string }) => {
        const key = (z: FakeZone) => `${reversedName(z.name)}|${z.id}`;
        const all = [...zones.values()].sort((a, b) => key(a).localeCompare(key(b)));
        const from = `${reversedName(input.DNSName ?? "")}|${input.HostedZoneId ?? ""}`;
        const rest = all.filter((z) => key(z) >= from);
        const page = rest.slice(0, pageSize);
        const next = rest[pageSize];
        return {
          HostedZones: page.map((z) => wire(z).HostedZone),
          IsTruncated: next !== undefined,
          ...(next === undefined ? {} : { NextDNSName: next.name, NextHostedZoneId: next.id }),
          MaxItems: pageSize,
        };
      }),
    )
    .on(ChangeResourceRecordSetsCommand)
    .callsFake(
      guard(
        "ChangeResourceRecordSets",
        (input: { HostedZoneId: string; ChangeBatch: { Changes: Change[] } }) => {
          const zone = zoneOf(input.HostedZoneId);
          // A batch applies atomically: work on a copy, keep it only if every change is valid.
          const sets = zone.sets.map((s) => ({ ...s }));
          const problems: string[] = [];
          for (const change of input.ChangeBatch.Changes) {
            const set = change.ResourceRecordSet;
            if (set === undefined) continue;
            const name = `${encodeName(normalizeName(set.Name ?? ""))}.`;
            const index = sets.findIndex((s) => s.Name === name && s.Type === set.Type);
            const describe = `[name='${name}', type='${set.Type}']`;
            if (change.Action === "DELETE") {
              const current = sets[index];
              if (current === undefined)
                problems.push(`Tried to delete resource record set ${describe} but it was not found`);
              else if (!sameSet(current, set))
                problems.push(
                  `Tried to delete resource record set ${describe} but the values provided do not match the current values`,
                );
              else sets.splice(index, 1);
              continue;
            }
            const invalid = (set.ResourceRecords ?? []).find(
              (r) => set.Type === "TXT" && !isQuotedTxt(r.Value ?? ""),
            );
            if (invalid !== undefined) {
              problems.push(
                `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks, each string at most 255 characters) encountered with '${invalid.Value}''`,
              );
              continue;
            }
            if (change.Action === "CREATE" && index !== -1) {
              problems.push(`Tried to create resource record set ${describe} but it already exists`);
              continue;
            }
            const stored = { ...set, Name: name };
            if (index === -1) sets.push(stored);
            else sets[index] = stored;
          }
          if (problems.length > 0)
            throw new InvalidChangeBatch({ message: problems.join("; "), messages: problems, ...meta });
          zone.sets = sets;
          return { ChangeInfo: { Id: `/change/C${Date.now()}`, Status: "INSYNC", SubmittedAt: new Date() } };
        },
      ),
    )
    .on(ListResourceRecordSetsCommand)
    .callsFake(
      guard(
        "ListResourceRecordSets",
        (input: {
          HostedZoneId: string;
          StartRecordName?: string;
          StartRecordType?: string;
          MaxItems?: number;
        }) => {
          const zone = zoneOf(input.HostedZoneId);
          const key = (name: string, type: string) => `${reversedName(decodeName(name))}|${type}`;
          const all = [...zone.sets].sort((a, b) =>
            key(a.Name ?? "", a.Type ?? "").localeCompare(key(b.Name ?? "", b.Type ?? "")),
          );
          const from =
            input.StartRecordName === undefined
              ? ""
              : key(input.StartRecordName, input.StartRecordType ?? "");
          const rest = all.filter((s) => key(s.Name ?? "", s.Type ?? "") >= from);
          const size = Math.min(input.MaxItems ?? pageSize, pageSize);
          const next = rest[size];
          return {
            ResourceRecordSets: rest.slice(0, size).map((s) => structuredClone(s)),
            IsTruncated: next !== undefined,
            ...(next === undefined ? {} : { NextRecordName: next.Name, NextRecordType: next.Type }),
            MaxItems: size,
          };
        },
      ),
    )
    .on(DeleteHostedZoneCommand)
    .callsFake(
      guard("DeleteHostedZone", (input: { Id: string }) => {
        const zone = zoneOf(input.Id);
        const extra = zone.sets.filter(
          (s) => !(s.Name === zone.name && (s.Type === "SOA" || s.Type === "NS")),
        );
        if (extra.length > 0) {
          throw new HostedZoneNotEmpty({
            message:
              "The specified hosted zone contains non-required resource record sets and so cannot be deleted.",
            ...meta,
          });
        }
        zones.delete(zone.id);
        return { ChangeInfo: { Id: "/change/C2", Status: "PENDING", SubmittedAt: new Date() } };
      }),
    );

  const hasValidationRecord = (v: { name: string; value: string }) =>
    [...zones.values()].some((zone) =>
      zone.sets.some(
        (s) =>
          decodeName(s.Name ?? "") === normalizeName(v.name) &&
          s.Type === "CNAME" &&
          (s.ResourceRecords ?? []).some((r) => normalizeName(r.Value ?? "") === normalizeName(v.value)),
      ),
    );
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

  const state: AwsFakeState = {
    platformZoneId: platform.id,
    zones,
    certificates,
    failNext(command, error, { afterApplying = false } = {}) {
      failures.set(command, [...(failures.get(command) ?? []), { error, afterApplying }]);
    },
    failCertificate(arn, reason = "CAA_ERROR") {
      const certificate = certificateOf(arn);
      certificate.status = "FAILED";
      certificate.failureReason = reason;
    },
    records(zoneId) {
      return zoneOf(zoneId).sets.map((s) => ({
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
      platformHostedZoneId: platform.id,
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
      for (const id of [...zones.keys()]) if (id !== platform.id) zones.delete(id);
      platform.sets = platform.sets.filter(
        (s) => s.Name === platform.name && (s.Type === "SOA" || s.Type === "NS"),
      );
      certificates.clear();
      failures.clear();
      route53Mock.resetHistory();
      acmMock.resetHistory();
    },
  };
}

/** Route53 orders names by their labels right to left. */
function reversedName(name: string): string {
  return normalizeName(decodeName(name)).split(".").reverse().join(".");
}

/** Route53 stores `*` as `\052`. */
function encodeName(name: string): string {
  return name.replace(/\*/g, "\\052");
}

function isQuotedTxt(value: string): boolean {
  const parts = value.match(/"((?:[^"\\]|\\.)*)"/g);
  if (parts === null || parts.join(" ") !== value.trim()) return false;
  return parts.every((p) => p.length - 2 <= 255 + (p.match(/\\/g)?.length ?? 0));
}

function sameSet(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const values = (s: ResourceRecordSet) => (s.ResourceRecords ?? []).map((r) => r.Value ?? "").sort();
  return a.TTL === b.TTL && JSON.stringify(values(a)) === JSON.stringify(values(b));
}
