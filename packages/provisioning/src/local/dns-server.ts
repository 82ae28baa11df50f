// The embedded authoritative DNS server (dns2, UDP and TCP on one loopback port) answering for
// the zones the local DnsProvider holds, so verification resolves real names in development:
// `dig @127.0.0.1 -p <port> <host>`.
import type { AddressInfo } from "node:net";
import { type Dns2Packet, type Dns2Resource, type Dns2Send, dns2, RCODE } from "../dns2.ts";
import { normalizeName, splitTxt } from "../names.ts";
import type { DnsRecord, DnsRecordType } from "../types.ts";
import type { LocalDnsProvider, LocalZone } from "./dns-provider.ts";

const { TYPE, CLASS } = dns2.Packet;
const TYPE_NAMES: Record<number, DnsRecordType> = {
  [TYPE.A]: "A",
  [TYPE.AAAA]: "AAAA",
  [TYPE.CNAME]: "CNAME",
  [TYPE.TXT]: "TXT",
  [TYPE.NS]: "NS",
};
const SOA_TTL = 60;

export interface EmbeddedDnsServer {
  host: string;
  port: number;
  /** `host:port`, as a resolver list (DNS_RESOLVERS) takes it. */
  address: string;
  close(): Promise<void>;
}

export async function startEmbeddedDnsServer(
  provider: LocalDnsProvider,
  options: { host: string; port: number },
): Promise<EmbeddedDnsServer> {
  const handle = (request: Dns2Packet, send: Dns2Send) => {
    void Promise.resolve(send(answer(provider, request))).catch(() => {});
  };
  return listenUdpAndTcp(handle, options);
}

/** UDP and TCP on the same port; with port 0 the UDP port picked is then taken for TCP too. */
export async function listenUdpAndTcp(
  handle: (request: Dns2Packet, send: Dns2Send) => void,
  options: { host: string; port: number },
): Promise<EmbeddedDnsServer> {
  const type = options.host.includes(":") ? "udp6" : "udp4";
  for (let attempt = 0; ; attempt++) {
    const udp = new dns2.UDPServer({ type });
    udp.on("request", handle);
    udp.on("requestError", () => {});
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(options.port, options.host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    const port = udp.address().port;
    const tcp = new dns2.TCPServer();
    tcp.on("request", handle);
    tcp.on("requestError", () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once("error", reject);
        tcp.listen(port, options.host, () => {
          tcp.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      udp.close();
      // Someone holds that TCP port: with a random port, try another one.
      if (options.port === 0 && attempt < 5) continue;
      throw error;
    }
    udp.on("error", () => {});
    tcp.on("error", () => {});
    const host = (tcp.address() as AddressInfo).address;
    let closed: Promise<void> | undefined;
    return {
      host,
      port,
      address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`,
      close: () => {
        closed ??= Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]).then(() => {});
        return closed;
      },
    };
  }
}

/** The authoritative answer to a query, from the provider's zones. */
export function answer(provider: LocalDnsProvider, request: Dns2Packet): Dns2Packet {
  const response = dns2.Packet.createResponseFromRequest(request);
  response.header.ra = 0;
  response.header.aa = 0;
  response.answers = [];
  response.authorities = [];
  const question = request.questions[0];
  if (question === undefined || request.questions.length !== 1) {
    response.header.rcode = RCODE.FORMERR;
    return response;
  }
  const name = normalizeName(question.name);
  const zone = provider.zoneFor(name);
  if (zone === undefined) {
    response.header.rcode = RCODE.REFUSED;
    return response;
  }
  response.header.aa = 1;
  const records = recordsAt(zone, name);
  const cname = records.find((r) => r.type === "CNAME");
  const wanted = question.type === TYPE.ANY ? undefined : TYPE_NAMES[question.type];
  if (question.type === TYPE.SOA || (question.type === TYPE.ANY && name === zone.name)) {
    if (name === zone.name) response.answers.push(soa(zone));
  }
  if (cname !== undefined && question.type !== TYPE.CNAME && question.type !== TYPE.ANY) {
    response.answers.push(...resources(question.name, cname));
    // Follow the alias while it stays in a zone this server holds.
    const target = provider.lookup(cname.values[0] ?? "", wanted ?? "A");
    if (target !== undefined && wanted !== undefined)
      response.answers.push(...resources(target.name, target));
  } else {
    for (const record of records) {
      if (wanted === undefined ? question.type === TYPE.ANY : record.type === wanted) {
        response.answers.push(...resources(question.name, record));
      }
    }
  }
  if (response.answers.length === 0) {
    const exists = records.length > 0 || zone.records.some((r) => r.name.endsWith(`.${name}`));
    response.header.rcode = exists ? RCODE.NOERROR : RCODE.NXDOMAIN;
    response.authorities.push(soa(zone));
  }
  return response;
}

/** The record sets at a name, with the apex's NS set the zone is delegated to. */
function recordsAt(zone: LocalZone, name: string): DnsRecord[] {
  const records = zone.records.filter((r) => r.name === name);
  if (name === zone.name && !records.some((r) => r.type === "NS")) {
    records.push({ name, type: "NS", values: zone.nameServers, ttl: 172_800 });
  }
  return records;
}

const BUILDERS: Record<DnsRecordType, (value: string) => Partial<Dns2Resource>> = {
  A: (address) => ({ type: TYPE.A, address }),
  AAAA: (address) => ({ type: TYPE.AAAA, address }),
  CNAME: (domain) => ({ type: TYPE.CNAME, domain }),
  NS: (ns) => ({ type: TYPE.NS, ns }),
  TXT: (value) => ({ type: TYPE.TXT, data: splitTxt(value) }),
};

function resources(name: string, record: DnsRecord): Dns2Resource[] {
  const base = { name, type: 0, class: CLASS.IN, ttl: record.ttl };
  return record.values.map((value) => ({ ...base, ...BUILDERS[record.type](value) }));
}

function soa(zone: LocalZone): Dns2Resource {
  return {
    name: zone.name,
    type: TYPE.SOA,
    class: CLASS.IN,
    ttl: SOA_TTL,
    primary: zone.nameServers[0] ?? `ns1.${zone.name}`,
    admin: `hostmaster.${zone.name}`,
    serial: 1,
    refresh: 7200,
    retry: 900,
    expiration: 1_209_600,
    minimum: SOA_TTL,
  };
}
