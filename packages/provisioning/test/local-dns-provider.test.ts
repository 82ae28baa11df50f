import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLocalProvisioning, LocalDnsProvider, type LocalProvisioning } from "../src/index.ts";

const dirs: string[] = [];
const opened: LocalProvisioning[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "botgate-provisioning-"));
  dirs.push(dir);
  return dir;
}
async function open(stateDir?: string, extra: { issueDelayMs?: number } = {}) {
  const local = await createLocalProvisioning({
    rootDomain: "botgate.test",
    platformDomain: "api.botgate.test",
    issueDelayMs: extra.issueDelayMs ?? 60_000,
    ...(stateDir === undefined ? {} : { stateDir }),
  });
  opened.push(local);
  return local;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((l) => l.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const www = { name: "www.example.com", type: "A" as const, values: ["192.0.2.1"], ttl: 60 };

describe("the local DNS provider", () => {
  it("creates one zone per caller reference however often ensureZone runs", async () => {
    const local = await open();
    const first = await local.dns.ensureZone("example.com", "domain-1");
    const again = await local.dns.ensureZone("EXAMPLE.com.", "domain-1");
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      name: "example.com",
      nameServers: ["ns1.botgate.test", "ns2.botgate.test"],
    });
    const zones = await local.dns.listZones();
    expect(zones.map((z) => z.name).sort()).toEqual(["api.botgate.test", "example.com"]);
  });

  it("refuses a second zone of the same name under another caller reference, or one reference for two names", async () => {
    const local = await open();
    await local.dns.ensureZone("example.com", "domain-1");
    await expect(local.dns.ensureZone("example.com", "domain-2")).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(local.dns.ensureZone("example.org", "domain-1")).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("upserts one record set per name and type, replacing its values", async () => {
    const local = await open();
    const zone = await local.dns.ensureZone("example.com", "domain-1");
    await local.dns.upsertRecords(zone.id, [www]);
    await local.dns.upsertRecords(zone.id, [www]);
    await local.dns.upsertRecords(zone.id, [{ ...www, name: "WWW.example.com.", values: ["192.0.2.2"] }]);
    expect(await local.dns.listRecords(zone.id)).toEqual([{ ...www, values: ["192.0.2.2"] }]);
  });

  it("deletes record sets; absent ones and absent zones are not errors", async () => {
    const local = await open();
    const zone = await local.dns.ensureZone("example.com", "domain-1");
    await local.dns.upsertRecords(zone.id, [www]);
    await local.dns.deleteRecords(zone.id, [www, { ...www, name: "nope.example.com" }]);
    await local.dns.deleteRecords(zone.id, [www]);
    expect(await local.dns.listRecords(zone.id)).toEqual([]);
    await local.dns.deleteZone(zone.id);
    await local.dns.deleteZone(zone.id);
    await local.dns.deleteRecords(zone.id, [www]);
    expect((await local.dns.listZones()).map((z) => z.name)).toEqual(["api.botgate.test"]);
  });

  it("rejects records outside the zone and writes to an unknown zone with typed errors", async () => {
    const local = await open();
    const zone = await local.dns.ensureZone("example.com", "domain-1");
    await expect(
      local.dns.upsertRecords(zone.id, [{ ...www, name: "www.example.org" }]),
    ).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    await expect(local.dns.upsertRecords("LOCALNOPE", [www])).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(local.dns.deleteZone((await local.dns.platformZone()).id)).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("keeps zones, records, the CA root and certificates across a restart from its state files", async () => {
    const dir = tempDir();
    const before = await open(dir);
    const zone = await before.dns.ensureZone("example.com", "domain-1");
    await before.dns.upsertRecords(zone.id, [www]);
    const platform = await before.dns.platformZone();
    const arn = await before.certificates.request({
      domainName: "example.com",
      subjectAlternativeNames: [],
      idempotencyToken: "tok",
    });
    const root = await before.certificates.rootCertificatePem();
    await before.close();
    expect(JSON.parse(readFileSync(join(dir, "local-dns.json"), "utf8"))).toMatchObject({ version: 1 });

    const after = await open(dir);
    expect(await after.dns.platformZone()).toEqual(platform);
    expect(await after.dns.ensureZone("example.com", "domain-1")).toEqual(zone);
    expect(await after.dns.listRecords(zone.id)).toEqual([www]);
    expect(
      await after.certificates.request({
        domainName: "example.com",
        subjectAlternativeNames: [],
        idempotencyToken: "tok",
      }),
    ).toBe(arn);
    expect(await after.certificates.rootCertificatePem()).toBe(root);
    const check = await after.checker.check({ name: "www.example.com", type: "A", values: ["192.0.2.1"] });
    expect(check.outcome).toBe("match");
  });

  it("sees what another process wrote to the same state file", async () => {
    const dir = tempDir();
    const statePath = join(dir, "local-dns.json");
    const server = new LocalDnsProvider({
      platformDomain: "api.botgate.test",
      nameServers: ["ns1.botgate.test"],
      statePath,
    });
    const worker = new LocalDnsProvider({
      platformDomain: "api.botgate.test",
      nameServers: ["ns1.botgate.test"],
      statePath,
    });
    const zone = await worker.ensureZone("example.com", "domain-1");
    await worker.upsertRecords(zone.id, [www]);
    expect(server.lookup("www.example.com", "A")).toEqual(www);
  });

  it("uses the configured name servers for its zones", async () => {
    const local = await createLocalProvisioning({
      rootDomain: "botgate.test",
      platformDomain: "api.botgate.test",
      nameServers: ["NS-A.example.net", "ns-b.example.net."],
    });
    opened.push(local);
    expect((await local.dns.ensureZone("example.com", "d")).nameServers).toEqual([
      "ns-a.example.net",
      "ns-b.example.net",
    ]);
  });

  it("rejects invalid settings with a typed error", async () => {
    await expect(
      createLocalProvisioning({ rootDomain: "not a domain", platformDomain: "api.botgate.test" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("rootDomain") });
  });
});
