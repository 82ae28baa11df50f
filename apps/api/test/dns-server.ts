// A real DNS server on loopback (dns2, UDP, random port) standing in for the world's DNS:
// TXT, NS and A answers from tables the test fills in; unknown names get an empty answer.
import dns2 from "dns2";

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as DNS_RESOLVERS takes it. */
  address: string;
  /** Lower-case name → its TXT records; a record given as a list is sent as several strings. */
  txt: Map<string, (string | string[])[]>;
  /** Lower-case name → the name servers it is delegated to. */
  ns: Map<string, string[]>;
  /** Lower-case name → its A records (a deployed default host's, for the deployment's check). */
  a: Map<string, string[]>;
  /** Suffix → A records for every name under it (all default hosts of the platform at once). */
  aUnder: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const { Packet } = dns2;
  const txt = new Map<string, (string | string[])[]>();
  const ns = new Map<string, string[]>();
  const a = new Map<string, string[]>();
  const aUnder = new Map<string, string[]>();
  const addressesOf = (name: string): string[] =>
    a.get(name) ?? [...aUnder].find(([suffix]) => name.endsWith(`.${suffix}`))?.[1] ?? [];
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      for (const question of request.questions) {
        const name = question.name.toLowerCase();
        const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
        if (question.type === Packet.TYPE.NS) {
          for (const host of ns.get(name) ?? [])
            response.answers.push({ ...base, type: Packet.TYPE.NS, ns: host });
        } else if (question.type === Packet.TYPE.A) {
          for (const address of addressesOf(name))
            response.answers.push({ ...base, type: Packet.TYPE.A, address });
        } else {
          for (const data of txt.get(name) ?? [])
            response.answers.push({ ...base, type: Packet.TYPE.TXT, data });
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  if (!addresses.udp) throw new Error("the DNS server did not start");
  return { address: `127.0.0.1:${addresses.udp.port}`, txt, ns, a, aUnder, close: () => server.close() };
}
