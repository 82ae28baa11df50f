// The Route53 half of the AWS fake: hosted zones and record sets with Route53's rules
// (CallerReference idempotency, atomic change batches, DELETE only with the exact current
// values, quoted TXT, non-empty zones cannot be deleted), wired into an aws-sdk-client-mock stub.
import { randomUUID } from "node:crypto";
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
  type Route53ClientResolvedConfig,
  type ServiceInputTypes as Route53Input,
  type ServiceOutputTypes as Route53Output,
} from "@aws-sdk/client-route-53";
import type { AwsStub } from "aws-sdk-client-mock";
import { decodeName, zoneIdOf } from "../aws/route53.ts";
import { normalizeName } from "../names.ts";

/** Wraps a handler so failures queued with failNext happen before or after it. */
export type Guard = <I, O>(command: string, handler: (input: I) => O) => (input: I) => O;

export interface FakeZone {
  id: string;
  /** With the trailing dot, as Route53 answers it. */
  name: string;
  callerReference: string;
  nameServers: string[];
  sets: ResourceRecordSet[];
}

export type Route53Stub = AwsStub<Route53Input, Route53Output, Route53ClientResolvedConfig>;

const meta = { $metadata: {} };

export function fakeRoute53(
  route53Mock: Route53Stub,
  options: { platformDomain: string; pageSize: number; guard: Guard },
) {
  const { pageSize, guard } = options;
  const zones = new Map<string, FakeZone>();
  let zoneCounter = 0;
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
  const platform = addZone(options.platformDomain, "botgate-platform");

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

  /** True when some fake zone holds this CNAME (how ACM sees its validation records). */
  const hasCname = (name: string, value: string) =>
    [...zones.values()].some((zone) =>
      zone.sets.some(
        (s) =>
          decodeName(s.Name ?? "") === normalizeName(name) &&
          s.Type === "CNAME" &&
          (s.ResourceRecords ?? []).some((r) => normalizeName(r.Value ?? "") === normalizeName(value)),
      ),
    );

  const reset = () => {
    for (const id of [...zones.keys()]) if (id !== platform.id) zones.delete(id);
    platform.sets = platform.sets.filter(
      (s) => s.Name === platform.name && (s.Type === "SOA" || s.Type === "NS"),
    );
  };

  return { zones, platform, zoneOf, hasCname, reset };
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
