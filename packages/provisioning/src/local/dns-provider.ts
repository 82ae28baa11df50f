// The local DnsProvider: hosted zones and record sets held in memory and, given a path, in a
// JSON file, so records survive an API restart. The embedded DNS server answers from it.
import { randomBytes } from "node:crypto";
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import { isInZone, normalizeName } from "../names.ts";
import type { DnsProvider, DnsRecord, DnsRecordType, HostedZone } from "../types.ts";
import { JsonStateFile } from "./state-file.ts";

const recordSchema = z.object({
  name: z.string(),
  type: z.enum(["A", "AAAA", "CNAME", "TXT", "NS"]),
  values: z.array(z.string()),
  ttl: z.number(),
});

const zoneSchema = z.object({
  id: z.string(),
  name: z.string(),
  callerReference: z.string(),
  nameServers: z.array(z.string()),
  records: z.array(recordSchema),
});

const stateSchema = z.object({ version: z.literal(1), zones: z.array(zoneSchema) });

export type LocalZone = z.infer<typeof zoneSchema>;

export interface LocalDnsProviderOptions {
  /** The platform's zone (the API/platform domain every default host lives under). */
  platformDomain: string;
  /** Name servers every local zone is delegated to. */
  nameServers: string[];
  /** JSON state file; absent: memory only. */
  statePath?: string;
}

const PLATFORM_CALLER_REFERENCE = "botgate-platform-zone";

export class LocalDnsProvider implements DnsProvider {
  readonly kind = "local" as const;
  readonly #nameServers: string[];
  /** Shared with other processes (a separate worker) through the file. */
  readonly #state: JsonStateFile<{ version: 1; zones: LocalZone[] }>;
  readonly #platformZoneId: string;

  constructor(options: LocalDnsProviderOptions) {
    this.#nameServers = options.nameServers.map(normalizeName);
    this.#state = new JsonStateFile(
      options.statePath,
      (raw) => stateSchema.parse(raw),
      () => ({ version: 1 as const, zones: [] }),
    );
    const platformName = normalizeName(options.platformDomain);
    const zones = this.#zones;
    let platform = zones.find((z) => z.callerReference === PLATFORM_CALLER_REFERENCE);
    if (platform === undefined || platform.name !== platformName) {
      if (platform !== undefined) zones.splice(zones.indexOf(platform), 1);
      platform = this.#newZone(platformName, PLATFORM_CALLER_REFERENCE);
      zones.push(platform);
      this.#save();
    }
    this.#platformZoneId = platform.id;
  }

  async platformZone(): Promise<HostedZone> {
    return toHostedZone(this.#zone(this.#platformZoneId));
  }

  async ensureZone(domainName: string, callerReference: string): Promise<HostedZone> {
    const name = normalizeName(domainName);
    const zones = this.#zones;
    const same = zones.find((z) => z.callerReference === callerReference);
    if (same !== undefined) {
      if (same.name !== name) {
        throw new BotgateError(
          "CONFLICT",
          `the caller reference ${callerReference} already created the zone ${same.name}, not ${name}`,
        );
      }
      return toHostedZone(same);
    }
    // One authoritative server answers every local zone, so two zones of one name cannot coexist.
    const clash = zones.find((z) => z.name === name);
    if (clash !== undefined) {
      throw new BotgateError("CONFLICT", `a local hosted zone for ${name} already exists (${clash.id})`);
    }
    const zone = this.#newZone(name, callerReference);
    zones.push(zone);
    this.#save();
    return toHostedZone(zone);
  }

  async deleteZone(zoneId: string): Promise<void> {
    if (zoneId === this.#platformZoneId) {
      throw new BotgateError("BAD_REQUEST", "the platform zone cannot be deleted");
    }
    const zones = this.#zones;
    const index = zones.findIndex((z) => z.id === zoneId);
    if (index === -1) return;
    zones.splice(index, 1);
    this.#save();
  }

  async upsertRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void> {
    const zone = this.#zone(zoneId);
    const normalized = records.map((r) => normalizeRecord(zone, r));
    for (const record of normalized) {
      const index = zone.records.findIndex((r) => r.name === record.name && r.type === record.type);
      if (index === -1) zone.records.push(record);
      else zone.records[index] = record;
    }
    this.#save();
  }

  async deleteRecords(zoneId: string, records: readonly DnsRecord[]): Promise<void> {
    const zone = this.#zones.find((z) => z.id === zoneId);
    if (zone === undefined) return;
    const before = zone.records.length;
    for (const record of records) {
      const name = normalizeName(record.name);
      zone.records = zone.records.filter((r) => !(r.name === name && r.type === record.type));
    }
    if (zone.records.length !== before) this.#save();
  }

  async listRecords(zoneId: string): Promise<DnsRecord[]> {
    return this.#zone(zoneId).records.map(copyRecord);
  }

  async listZones(): Promise<HostedZone[]> {
    return this.#zones.map(toHostedZone);
  }

  /** The zone that is authoritative for a name (the longest matching apex), for the server. */
  zoneFor(name: string): LocalZone | undefined {
    let best: LocalZone | undefined;
    for (const zone of this.#zones) {
      if (isInZone(name, zone.name) && (best === undefined || zone.name.length > best.name.length))
        best = zone;
    }
    return best;
  }

  /** The record set of a name and type in whichever local zone holds it. */
  lookup(name: string, type: DnsRecordType): DnsRecord | undefined {
    const normalized = normalizeName(name);
    const record = this.zoneFor(normalized)?.records.find((r) => r.name === normalized && r.type === type);
    return record === undefined ? undefined : copyRecord(record);
  }

  #zone(zoneId: string): LocalZone {
    const zone = this.#zones.find((z) => z.id === zoneId);
    if (zone === undefined) throw new BotgateError("NOT_FOUND", `no local hosted zone ${zoneId}`);
    return zone;
  }

  #newZone(name: string, callerReference: string): LocalZone {
    const id = `LOCAL${randomBytes(8).toString("hex").toUpperCase()}`;
    return { id, name, callerReference, nameServers: [...this.#nameServers], records: [] };
  }

  /** Read once per operation: it may be replaced by what another process wrote. */
  get #zones(): LocalZone[] {
    return this.#state.value.zones;
  }

  #save(): void {
    this.#state.save();
  }
}

function normalizeRecord(zone: LocalZone, record: DnsRecord): DnsRecord {
  const name = normalizeName(record.name);
  if (!isInZone(name, zone.name)) {
    throw new BotgateError("BAD_REQUEST", `${name} is not in the zone ${zone.name}`);
  }
  if (record.values.length === 0) {
    throw new BotgateError("BAD_REQUEST", `the ${record.type} record of ${name} has no value`);
  }
  if (record.type === "CNAME" && record.values.length !== 1) {
    throw new BotgateError("BAD_REQUEST", `the CNAME record of ${name} must have exactly one value`);
  }
  const targets = record.type === "CNAME" || record.type === "NS";
  const values = record.values.map((v) => (targets ? normalizeName(v) : v));
  return { name, type: record.type, values: [...new Set(values)], ttl: record.ttl };
}

function copyRecord(record: DnsRecord): DnsRecord {
  return { name: record.name, type: record.type, values: [...record.values], ttl: record.ttl };
}

function toHostedZone(zone: LocalZone): HostedZone {
  return { id: zone.id, name: zone.name, nameServers: [...zone.nameServers] };
}
