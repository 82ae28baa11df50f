// A real DNS server on loopback (dns2, UDP, random port) answering TXT queries from a table the
// test fills in; unknown names get an empty answer.
import dns2 from "dns2";

export interface TestDnsServer {
  /** `127.0.0.1:<port>`, as DNS_RESOLVERS takes it. */
  address: string;
  /** Lower-case name → its TXT records; a record given as a list is sent as several strings. */
  txt: Map<string, (string | string[])[]>;
  close(): Promise<void>;
}

export async function startTestDnsServer(): Promise<TestDnsServer> {
  const { Packet } = dns2;
  const txt = new Map<string, (string | string[])[]>();
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
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  if (!addresses.udp) throw new Error("the DNS server did not start");
  return { address: `127.0.0.1:${addresses.udp.port}`, txt, close: () => server.close() };
}
