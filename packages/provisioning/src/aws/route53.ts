// The aws DnsProvider on Route53. Writes are idempotent: CreateHostedZone by CallerReference
// (a retry finds the zone it created), UPSERT for record sets, DELETE with the exact current
// values read just before (absent sets are skipped).
import {
  type Change,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  type ListHostedZonesByNameCommandOutput,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
  type HostedZone as Route53Zone,
} from "@aws-sdk/client-route-53";
import { BotgateError } from "@botgate/core";
import { normalizeName, splitTxt } from "../names.ts";
import type { DnsProvider, DnsRecord, DnsRecordType, HostedZone } from "../types.ts";
import { awsFailure, isAwsError } from "./errors.ts";

const RECORD_TYPES = new Set<string>(["A", "AAAA", "CNAME", "TXT", "NS"]);
/** Route53 takes at most 1000 changes per batch; far fewer keeps each request small. */
const BATCH = 100;

export interface Route53DnsProviderOptions {
  client: Route53Client;
  platformHostedZoneId: string;
}

export class Route53DnsProvider implements DnsProvider {
  readonly kind = "aws" as const;
  readonly #client: Route53Client;
  readonly #platformHostedZoneId: string;

  constructor(options: Route53DnsProviderOptions) {
    this.#client = options.client;
    this.#platformHostedZoneId = zoneIdOf(options.platformHostedZoneId);
  }

  async platformZone(): Promise<HostedZone> {
    const zone = await this.#getZone(this.#platformHostedZoneId);
    if (zone === null) {
      throw new BotgateError(
        "INTERNAL",
        `the platform hosted zone ${this.#platformHostedZoneId} does not exist`,
      );
    }
    return zone;
  }

  async ensureZone(domainName: string, callerReference: string): Promise<HostedZone> {
    const name = normalizeName(domainName);
    try {
      const created = await this.#client.send(
        new CreateHostedZoneCommand({
          Name: name,
          CallerReference: callerReference,
          HostedZoneConfig: { Comment: "botgate custom domain", PrivateZone: false },
        }),
      );
      return toHostedZone(created.HostedZone, created.DelegationSet?.NameServers);
    } catch (error) {
      if (!isAwsError(error, "HostedZoneAlreadyExists", "ConflictingDomainExists")) {
        throw awsFailure("CreateHostedZone", error);
      }
      // A retry after the first call created it: find the zone this caller reference made.
      const existing = await this.#findByCallerReference(name, callerReference);
      if (existing !== null) return existing;
      throw new BotgateError(
        "CONFLICT",
        `Route53 refused a hosted zone for ${name} (${(error as Error).name}) and none was created with caller reference ${callerReference}`,
        { provider: "aws", awsError: (error as Error).name },
      );
    }
  }

  async deleteZone(zoneId: string): Promise<void> {
    const id = zoneIdOf(zoneId);
    if (id === this.#platformHostedZoneId) {
      throw new BotgateError("BAD_REQUEST", "the platform hosted zone cannot be deleted");
    }
    try {
      const zone = await this.#getZone(id);
      if (zone === null) return;
      // Route53 deletes only empty zones: everything but the apex SOA and NS goes first.
      const sets = (await this.#listSets(id)).filter((s) => !isApexManaged(s, zone.name));
      await this.#change(
        id,
        sets.map((set) => ({ Action: "DELETE", ResourceRecordSet: set })),
      );
      await this.#client.send(new DeleteHostedZoneCommand({ Id: id }));
    } catch (error) {
      if (isAwsError(error, "NoSuchHostedZone")) return;
      if (error instanceof BotgateError) throw error;
      throw awsFailure("DeleteHostedZone", error);
    }
  }

  async upsertRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void> {
    const changes: Change[] = records.map((record) => ({
      Action: "UPSERT",
      ResourceRecordSet: toRecordSet(record),
    }));
    try {
      await this.#change(zoneIdOf(zoneId), changes);
    } catch (error) {
      if (isAwsError(error, "NoSuchHostedZone"))
        throw new BotgateError("NOT_FOUND", `no hosted zone ${zoneId}`);
      throw awsFailure("ChangeResourceRecordSets", error);
    }
  }

  async deleteRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void> {
    const id = zoneIdOf(zoneId);
    try {
      // DELETE must name the exact current values: read each set first; absent sets are skipped.
      const changes: Change[] = [];
      for (const record of records) {
        const current = await this.#currentSet(id, normalizeName(record.name), record.type);
        if (current !== null) changes.push({ Action: "DELETE", ResourceRecordSet: current });
      }
      await this.#deleteTolerantly(id, changes);
    } catch (error) {
      if (isAwsError(error, "NoSuchHostedZone")) return;
      throw awsFailure("ChangeResourceRecordSets", error);
    }
  }

  async listRecords(zoneId: string): Promise<DnsRecord[]> {
    const id = zoneIdOf(zoneId);
    try {
      const zone = await this.#getZone(id);
      if (zone === null) throw new BotgateError("NOT_FOUND", `no hosted zone ${zoneId}`);
      return (await this.#listSets(id))
        .filter((set) => !isApexManaged(set, zone.name) && RECORD_TYPES.has(set.Type ?? ""))
        .map(fromRecordSet);
    } catch (error) {
      if (error instanceof BotgateError) throw error;
      throw awsFailure("ListResourceRecordSets", error);
    }
  }

  async listZones(): Promise<HostedZone[]> {
    const zones: HostedZone[] = [];
    let marker: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListHostedZonesCommand({ ...(marker ? { Marker: marker } : {}) }),
        );
        for (const summary of page.HostedZones ?? []) {
          const zone = await this.#getZone(zoneIdOf(summary.Id ?? ""));
          if (zone !== null) zones.push(zone);
        }
        marker = page.IsTruncated ? page.NextMarker : undefined;
      } while (marker !== undefined);
    } catch (error) {
      throw awsFailure("ListHostedZones", error);
    }
    return zones;
  }

  async #getZone(id: string): Promise<HostedZone | null> {
    try {
      const answer = await this.#client.send(new GetHostedZoneCommand({ Id: id }));
      return toHostedZone(answer.HostedZone, answer.DelegationSet?.NameServers);
    } catch (error) {
      if (isAwsError(error, "NoSuchHostedZone")) return null;
      throw awsFailure("GetHostedZone", error);
    }
  }

  async #findByCallerReference(name: string, callerReference: string): Promise<HostedZone | null> {
    let dnsName: string | undefined = name;
    let zoneId: string | undefined;
    do {
      const page: ListHostedZonesByNameCommandOutput = await this.#client.send(
        new ListHostedZonesByNameCommand({ DNSName: dnsName, ...(zoneId ? { HostedZoneId: zoneId } : {}) }),
      );
      for (const zone of page.HostedZones ?? []) {
        const zoneName = decodeName(zone.Name ?? "");
        // Zones come sorted by name: once past ours, it is not there.
        if (zoneName !== name) return null;
        if (zone.CallerReference === callerReference) return this.#getZone(zoneIdOf(zone.Id ?? ""));
      }
      dnsName = page.IsTruncated ? page.NextDNSName : undefined;
      zoneId = page.IsTruncated ? page.NextHostedZoneId : undefined;
    } while (dnsName !== undefined);
    return null;
  }

  async #currentSet(zoneId: string, name: string, type: DnsRecordType): Promise<ResourceRecordSet | null> {
    const page = await this.#client.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        StartRecordName: name,
        StartRecordType: type,
        MaxItems: 1,
      }),
    );
    const set = page.ResourceRecordSets?.[0];
    if (set === undefined || decodeName(set.Name ?? "") !== name || set.Type !== type) return null;
    return set;
  }

  async #listSets(zoneId: string): Promise<ResourceRecordSet[]> {
    const sets: ResourceRecordSet[] = [];
    let next:
      | {
          StartRecordName: string;
          StartRecordType?: ResourceRecordSet["Type"];
          StartRecordIdentifier?: string;
        }
      | undefined;
    do {
      const page = await this.#client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...next }),
      );
      sets.push(...(page.ResourceRecordSets ?? []));
      next =
        page.IsTruncated && page.NextRecordName
          ? {
              StartRecordName: page.NextRecordName,
              ...(page.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
              ...(page.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
            }
          : undefined;
    } while (next !== undefined);
    return sets;
  }

  async #change(zoneId: string, changes: Change[]): Promise<void> {
    for (let i = 0; i < changes.length; i += BATCH) {
      await this.#client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: { Comment: "botgate", Changes: changes.slice(i, i + BATCH) },
        }),
      );
    }
  }

  /** A set deleted between the read and the DELETE fails the whole batch: then go one by one. */
  async #deleteTolerantly(zoneId: string, changes: Change[]): Promise<void> {
    try {
      await this.#change(zoneId, changes);
    } catch (error) {
      if (!isNotFoundBatch(error)) throw error;
      for (const change of changes) {
        try {
          await this.#change(zoneId, [change]);
        } catch (single) {
          if (!isNotFoundBatch(single)) throw single;
        }
      }
    }
  }
}

function isNotFoundBatch(error: unknown): boolean {
  return isAwsError(error, "InvalidChangeBatch") && /not found/i.test((error as Error).message);
}

/** `/hostedzone/Z123` and `Z123` are the same zone; the provider answers the short form. */
export function zoneIdOf(id: string): string {
  return id.replace(/^\/?hostedzone\//, "");
}

/** Route53 answers names with a trailing dot and octal escapes (`\052` for `*`). */
export function decodeName(name: string): string {
  return normalizeName(
    name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8))),
  );
}

/** TXT values go to Route53 quoted, each 255-character string its own quoted part. */
export function quoteTxt(value: string): string {
  return splitTxt(value)
    .map((chunk) => `"${chunk.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)
    .join(" ");
}

export function unquoteTxt(value: string): string {
  const parts = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1] ?? "");
  const joined = parts.length === 0 ? value : parts.join("");
  return joined.replace(/\\(\d{3}|.)/g, (_, escaped: string) =>
    escaped.length === 3 ? String.fromCharCode(Number.parseInt(escaped, 8)) : escaped,
  );
}

function toRecordSet(record: DnsRecord): ResourceRecordSet {
  const values =
    record.type === "TXT"
      ? record.values.map(quoteTxt)
      : record.values.map((v) => (record.type === "A" || record.type === "AAAA" ? v : normalizeName(v)));
  return {
    Name: normalizeName(record.name),
    Type: record.type,
    TTL: record.ttl,
    ResourceRecords: values.map((Value) => ({ Value })),
  };
}

function fromRecordSet(set: ResourceRecordSet): DnsRecord {
  const type = set.Type as DnsRecordType;
  const raw = set.ResourceRecords?.map((r) => r.Value ?? "") ?? [];
  const values = set.AliasTarget?.DNSName
    ? [normalizeName(set.AliasTarget.DNSName)]
    : type === "TXT"
      ? raw.map(unquoteTxt)
      : type === "A" || type === "AAAA"
        ? raw
        : raw.map(normalizeName);
  return { name: decodeName(set.Name ?? ""), type, values, ttl: set.TTL ?? 0 };
}

function isApexManaged(set: ResourceRecordSet, zoneName: string): boolean {
  return decodeName(set.Name ?? "") === zoneName && (set.Type === "SOA" || set.Type === "NS");
}

function toHostedZone(zone: Route53Zone | undefined, nameServers: string[] | undefined): HostedZone {
  if (zone?.Id === undefined) throw new BotgateError("BAD_GATEWAY", "Route53 answered without a hosted zone");
  return {
    id: zoneIdOf(zone.Id),
    name: decodeName(zone.Name ?? ""),
    nameServers: (nameServers ?? []).map(normalizeName),
  };
}
