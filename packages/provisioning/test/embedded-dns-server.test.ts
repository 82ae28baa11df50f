import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dns2, RCODE } from "../src/dns2.ts";
import { createLocalProvisioning, type LocalProvisioning } from "../src/index.ts";

const { TYPE } = dns2.Packet;
let local: LocalProvisioning;
let zoneId: string;

function udp(name: string, type: string) {
  return dns2.UDPClient({ dns: "127.0.0.1", port: local.dnsServer.port })(name, type);
}
function tcp(name: string, type: string) {
  return dns2.TCPClient({ dns: "127.0.0.1", port: local.dnsServer.port })(name, type);
}

beforeAll(async () => {
  local = await createLocalProvisioning({ rootDomain: "botgate.test", platformDomain: "api.botgate.test" });
  const zone = await local.dns.ensureZone("Example.COM.", "domain-1");
  zoneId = zone.id;
  await local.dns.upsertRecords(zoneId, [
    { name: "www.example.com", type: "A", values: ["192.0.2.10", "192.0.2.11"], ttl: 60 },
    { name: "www.example.com", type: "AAAA", values: ["2001:db8::1"], ttl: 60 },
    { name: "chat.example.com", type: "CNAME", values: ["www.example.com."], ttl: 60 },
    { name: "_botgate.example.com", type: "TXT", values: ["token-1", "x".repeat(300)], ttl: 60 },
    { name: "deep.sub.example.com", type: "A", values: ["192.0.2.20"], ttl: 60 },
  ]);
});
afterAll(() => local.close());

describe("the embedded authoritative DNS server", () => {
  it("listens on one loopback port for both UDP and TCP", async () => {
    expect(local.dnsServer.host).toBe("127.0.0.1");
    expect(local.dnsServer.address).toBe(`127.0.0.1:${local.dnsServer.port}`);
    const [overUdp, overTcp] = await Promise.all([udp("www.example.com", "A"), tcp("www.example.com", "A")]);
    expect(overUdp.answers.map((a) => a.address).sort()).toEqual(["192.0.2.10", "192.0.2.11"]);
    expect(overTcp.answers.map((a) => a.address).sort()).toEqual(["192.0.2.10", "192.0.2.11"]);
  });

  it("answers A, AAAA and TXT authoritatively, case-insensitively", async () => {
    const a = await udp("WWW.Example.com", "A");
    expect(a.header.aa).toBe(1);
    expect(a.header.rcode).toBe(RCODE.NOERROR);
    expect((await udp("www.example.com", "AAAA")).answers.map((r) => r.address)).toEqual(["2001:db8::1"]);
    const txt = await tcp("_botgate.example.com", "TXT");
    expect(txt.answers.map((r) => r.data).sort()).toEqual(["token-1", "x".repeat(300)]);
  });

  it("answers a CNAME and follows it inside its zones", async () => {
    const response = await udp("chat.example.com", "A");
    expect(response.answers.map((r) => [r.type, r.domain ?? r.address])).toEqual([
      [TYPE.CNAME, "www.example.com"],
      [TYPE.A, "192.0.2.10"],
      [TYPE.A, "192.0.2.11"],
    ]);
  });

  it("answers the apex NS and SOA from the zone's name servers", async () => {
    const ns = await udp("example.com", "NS");
    expect(ns.header.aa).toBe(1);
    expect(ns.answers.map((r) => r.ns)).toEqual(["ns1.botgate.test", "ns2.botgate.test"]);
    const soa = await udp("example.com", "SOA");
    expect(soa.answers[0]?.primary).toBe("ns1.botgate.test");
  });

  it("answers NXDOMAIN with the SOA for an unknown name inside a zone", async () => {
    const response = await udp("nope.example.com", "A");
    expect(response.header.rcode).toBe(RCODE.NXDOMAIN);
    expect(response.header.aa).toBe(1);
    expect(response.answers).toEqual([]);
    expect(response.authorities[0]?.type).toBe(TYPE.SOA);
  });

  it("answers NOERROR without records for a name that exists with another type or only below", async () => {
    for (const [name, type] of [
      ["www.example.com", "TXT"],
      ["sub.example.com", "A"],
    ] as const) {
      const response = await udp(name, type);
      expect(response.header.rcode, name).toBe(RCODE.NOERROR);
      expect(response.answers, name).toEqual([]);
    }
  });

  it("refuses names outside its zones, without the AA flag", async () => {
    const response = await udp("example.org", "A");
    expect(response.header.rcode).toBe(RCODE.REFUSED);
    expect(response.header.aa).toBe(0);
  });

  it("serves the platform zone, and stops serving a deleted zone", async () => {
    const platform = await local.dns.platformZone();
    expect(platform.name).toBe("api.botgate.test");
    await local.dns.upsertRecords(platform.id, [
      { name: "bot.acme.api.botgate.test", type: "CNAME", values: ["edge.botgate.test"], ttl: 60 },
    ]);
    expect((await udp("bot.acme.api.botgate.test", "CNAME")).answers[0]?.domain).toBe("edge.botgate.test");

    const other = await local.dns.ensureZone("gone.example", "domain-gone");
    await local.dns.upsertRecords(other.id, [
      { name: "gone.example", type: "A", values: ["192.0.2.1"], ttl: 60 },
    ]);
    expect((await udp("gone.example", "A")).header.rcode).toBe(RCODE.NOERROR);
    await local.dns.deleteZone(other.id);
    expect((await udp("gone.example", "A")).header.rcode).toBe(RCODE.REFUSED);
  });

  it("answers through node's resolver the same way the checker will ask", async () => {
    const check = await local.checker.check({ name: "www.example.com.", type: "A", values: ["192.0.2.11"] });
    expect(check).toMatchObject({
      outcome: "match",
      responseCode: "NOERROR",
      resolver: [local.dnsServer.address],
    });
  });
});
