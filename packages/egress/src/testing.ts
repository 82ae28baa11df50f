// Test helpers (`@botgate/egress/testing`): a node:net lookup that asks given name servers
// (e.g. startTestDnsServer's on loopback) instead of the system resolver, so a test can serve
// a name that resolves to a private address without touching /etc/hosts.
import type { LookupAddress } from "node:dns";
import { Resolver } from "node:dns/promises";
import type { LookupFunction } from "node:net";

export function lookupThrough(servers: string[]): LookupFunction {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  resolver.setServers(servers);
  const answers = (family: 4 | 6, hostname: string) =>
    (family === 4 ? resolver.resolve4(hostname) : resolver.resolve6(hostname)).then(
      (addresses) => addresses.map((address): LookupAddress => ({ address, family })),
      () => [] as LookupAddress[],
    );
  return (hostname, options, callback) => {
    const families: (4 | 6)[] = options.family === 4 ? [4] : options.family === 6 ? [6] : [4, 6];
    void Promise.all(families.map((family) => answers(family, hostname))).then((lists) => {
      const addresses = lists.flat();
      const first = addresses[0];
      if (first === undefined) {
        const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
          code: "ENOTFOUND",
          hostname,
        });
        return callback(error, "");
      }
      if (options.all) callback(null, addresses);
      else callback(null, first.address, first.family);
    });
  };
}
