// A real DNS server on loopback (dns2, UDP, random port) answering TXT (and A) queries from tables the
// test fills in; unknown names get an empty answer.
import dns2 from "dns2";

/** The API domain of the test platform (harness TEST_ENV): default hosts live under it. */
const TEST_API_DOMAIN = "api.local.botgate.localhost";

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as DNS_RESOLVERS takes it. */
  address: string;
  /** Lower-case name → its TXT records; a record given as a list is sent as several strings. */
  txt: Map<string, (string | string[])[]>;
  /** Lower-case name → its A records (a deployed default host's, for the deployment's check). */
  a: Map<string, string[]>;
  close(): Promise<void>;
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const { Packet } = dns2;
  const txt = new Map<string, (string | string[])[]>();
  const a = new Map<string, string[]>();
  // Like the platform zone: default hosts point at the edge (EDGE_TARGET's default) unless set.
  const addressesOf = (name: string) =>
    a.get(name) ?? (name.endsWith(`.${TEST_API_DOMAIN}`) ? ["127.0.0.1"] : []);
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request);
      for (const question of request.questions) {
        for (const data of txt.get(question.name.toLowerCase()) ?? []) {
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.TXT,
            class: Packet.CLASS.IN,
            ttl: 60,
            data,
          });
        }
        for (const address of question.type === Packet.TYPE.A
          ? addressesOf(question.name.toLowerCase())
          : []) {
          response.answers.push({
            name: question.name,
            type: Packet.TYPE.A,
            class: Packet.CLASS.IN,
            ttl: 60,
            address,
          });
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  if (!addresses.udp) throw new Error("the DNS server did not start");
  return { address: `127.0.0.1:${addresses.udp.port}`, txt, a, close: () => server.close() };
}
