// A scripted DNS server on loopback (dns2, UDP and TCP, random port) for tests: per name it
// serves given records (right or wrong ones), NXDOMAIN, SERVFAIL, REFUSED, or never answers.
import { type Dns2Packet, type Dns2Resource, type Dns2Send, dns2, RCODE } from "../dns2.ts";
import { listenUdpAndTcp } from "../local/dns-server.ts";
import { normalizeName } from "../names.ts";
import type { DnsRecordType } from "../types.ts";

const { TYPE, CLASS } = dns2.Packet;

/** Record values per type; a TXT value given as a list is sent as several strings of one record. */
export type TestRecords = Partial<Record<DnsRecordType, (string | string[])[]>>;

export type TestDnsBehaviour =
  | { records: TestRecords }
  | { rcode: "NXDOMAIN" | "SERVFAIL" | "REFUSED" }
  /** Never answers: the client times out. */
  | { silent: true };

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as DNS_RESOLVERS and the checker take it. */
  address: string;
  port: number;
  /** Sets what a name (any case, trailing dot or not) answers; unknown names answer NXDOMAIN. */
  set(name: string, behaviour: TestDnsBehaviour): void;
  /** Shorthand for set(name, { records }), merging with records already set for that name. */
  records(name: string, records: TestRecords): void;
  clear(): void;
  /** Every question received, lower case, in order. */
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const table = new Map<string, TestDnsBehaviour>();
  const queries: { name: string; type: number }[] = [];
  const handle = (request: Dns2Packet, send: Dns2Send) => {
    const question = request.questions[0];
    const response = dns2.Packet.createResponseFromRequest(request);
    response.answers = [];
    response.authorities = [];
    response.header.aa = 1;
    if (question === undefined) return;
    const name = normalizeName(question.name);
    queries.push({ name, type: question.type });
    const behaviour = table.get(name) ?? { rcode: "NXDOMAIN" as const };
    if ("silent" in behaviour) return;
    if ("rcode" in behaviour) {
      response.header.rcode = RCODE[behaviour.rcode];
      if (behaviour.rcode !== "NXDOMAIN") response.header.aa = 0;
    } else {
      response.answers = resources(question.name, question.type, behaviour.records);
    }
    void Promise.resolve(send(response)).catch(() => {});
  };
  const server = await listenUdpAndTcp(handle, { host: "127.0.0.1", port: 0 });
  return {
    address: server.address,
    port: server.port,
    set: (name, behaviour) => table.set(normalizeName(name), behaviour),
    records(name, records) {
      const current = table.get(normalizeName(name));
      const merged =
        current !== undefined && "records" in current ? { ...current.records, ...records } : records;
      table.set(normalizeName(name), { records: merged });
    },
    clear: () => table.clear(),
    queries,
    close: () => server.close(),
  };
}

function resources(name: string, type: number, records: TestRecords): Dns2Resource[] {
  const base = { name, class: CLASS.IN, ttl: 60 };
  const out: Dns2Resource[] = [];
  const cname = records.CNAME?.[0];
  if (cname !== undefined && type !== TYPE.CNAME) {
    out.push({ ...base, type: TYPE.CNAME, domain: String(cname) });
    return out;
  }
  for (const value of type === TYPE.A ? (records.A ?? []) : [])
    out.push({ ...base, type: TYPE.A, address: String(value) });
  for (const value of type === TYPE.AAAA ? (records.AAAA ?? []) : [])
    out.push({ ...base, type: TYPE.AAAA, address: String(value) });
  for (const value of type === TYPE.CNAME ? (records.CNAME ?? []) : [])
    out.push({ ...base, type: TYPE.CNAME, domain: String(value) });
  for (const value of type === TYPE.NS ? (records.NS ?? []) : [])
    out.push({ ...base, type: TYPE.NS, ns: String(value) });
  for (const value of type === TYPE.TXT ? (records.TXT ?? []) : [])
    out.push({ ...base, type: TYPE.TXT, data: value });
  return out;
}
