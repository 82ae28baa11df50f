// The local DnsProvider: hosted zones and record sets held in memory and, given a path, in a
// JSON file, so records survive an API restart. The embedded DNS server answers from it.
import { randomBytes } from "node:crypto";
import { statSync } from "node:fs";
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import { isInZone, normalizeName } from "../names.ts";
import type { DnsProvider, DnsRecord, DnsRecordType, HostedZone } from "../types.ts";
import { readState, writeState } from "./state-file.ts";

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
  readonly #statePath: string | undefined;
  readonly #nameServers: string[];
  #zones: LocalZone[];
  /** The state file's mtime when last read or written: another process (a separate worker) may write it. */
  #loadedAt = -1;
  readonly #platformZoneId: string;

  constructor(options: LocalDnsProviderOptions) {
    this.#statePath = options.statePath;
    this.#nameServers = options.nameServers.map(normalizeName);
    this.#zones = this.#read();
    const platformName = normalizeName(options.platformDomain);
    let platform = this.#zones.find((z) => z.callerReference === PLATFORM_CALLER_REFERENCE);
    if (platform === undefined || platform.name !== platformName) {
      if (platform !== undefined) this.#zones.splice(this.#zones.indexOf(platform), 1);
      platform = this.#newZone(platformName, PLATFORM_CALLER_REFERENCE);
      this.#zones.push(platform);
      this.#save();
    }
    this.#platformZoneId = platform.id;
  }

  async platformZone(): Promise<HostedZone> {
    return toHostedZone(this.#zone(this.#platformZoneId));
  }

  async ensureZone(domainName: string, callerReference: string): Promise<HostedZone> {
    this.#refresh();
    const name = normalizeName(domainName);
    const same = this.#zones.find((z) => z.callerReference === callerReference);
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
    const clash = this.#zones.find((z) => z.name === name);
    if (clash !== undefined) {
      throw new BotgateError("CONFLICT", `a local hosted zone for ${name} already exists (${clash.id})`);
    }
    const zone = this.#newZone(name, callerReference);
    this.#zones.push(zone);
    this.#save();
    return toHostedZone(zone);
  }

  async deleteZone(zoneId: string): Promise<void> {
    if (zoneId === this.#platformZoneId) {
      throw new BotgateError("BAD_REQUEST", "the platform zone cannot be deleted");
    }
    this.#refresh();
    const index = this.#zones.findIndex((z) => z.id === zoneId);
    if (index === -1) return;
    this.#zones.splice(index, 1);
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
    this.#refresh();
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
    this.#refresh();
    return this.#zones.map(toHostedZone);
  }

  /** The zone that is authoritative for a name (the longest matching apex), for the server. */
  zoneFor(name: string): LocalZone | undefined {
    this.#refresh();
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

  #read(): LocalZone[] {
    const zones = readState(
      this.#statePath,
      (raw) => stateSchema.parse(raw).zones,
      () => [],
    );
    this.#loadedAt = this.#mtime();
    return zones;
  }

  /** Picks up what another process wrote; every operation runs it first, synchronously. */
  #refresh(): void {
    if (this.#statePath !== undefined && this.#mtime() !== this.#loadedAt) this.#zones = this.#read();
  }

  #mtime(): number {
    if (this.#statePath === undefined) return -1;
    try {
      return statSync(this.#statePath).mtimeMs;
    } catch {
      return -1;
    }
  }

  #zone(zoneId: string): LocalZone {
    this.#refresh();
    const zone = this.#zones.find((z) => z.id === zoneId);
    if (zone === undefined) throw new BotgateError("NOT_FOUND", `no local hosted zone ${zoneId}`);
    return zone;
  }

  #newZone(name: string, callerReference: string): LocalZone {
    const id = `LOCAL${randomBytes(8).toString("hex").toUpperCase()}`;
    return { id, name, callerReference, nameServers: [...this.#nameServers], records: [] };
  }

  #save(): void {
    writeState(this.#statePath, { version: 1, zones: this.#zones });
    this.#loadedAt = this.#mtime();
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
