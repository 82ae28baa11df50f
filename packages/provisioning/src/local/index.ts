// `local` provisioning: the embedded authoritative DNS server, the local CA and a checker that
// asks that server (or the name servers given), all in the API process.
import { join } from "node:path";
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import { ResolverDnsChecker } from "../checker.ts";
import { normalizeName } from "../names.ts";
import type { Provisioning } from "../types.ts";
import { LocalCertificateProvider } from "./ca.ts";
import { LocalDnsProvider } from "./dns-provider.ts";
import { type EmbeddedDnsServer, startEmbeddedDnsServer } from "./dns-server.ts";

const hostname = z
  .string()
  .trim()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+\.?$/i, "not a hostname")
  .transform(normalizeName);

export const localProvisioningOptionsSchema = z.object({
  /** PLATFORM_ROOT_DOMAIN: the default name servers are ns1/ns2.<rootDomain>. */
  rootDomain: hostname,
  /** The platform zone (the API/platform domain every default host lives under). */
  platformDomain: hostname,
  /** LOCAL_NAME_SERVERS: what local zones are delegated to. */
  nameServers: z.array(hostname).min(1).optional(),
  /** Where local-dns.json and local-ca.json live (DATA_DIR); absent: memory only. */
  stateDir: z.string().min(1).optional(),
  /** The embedded DNS server's address and port (0: any free port). */
  dnsHost: z.string().default("127.0.0.1"),
  dnsPort: z.number().int().min(0).max(65_535).default(0),
  /** How long the local CA takes, at the earliest, to issue a certificate. */
  issueDelayMs: z.number().int().min(0).default(2_000),
  /** A certificate whose validation records never appear FAILS after this long. */
  validationTimeoutMs: z
    .number()
    .int()
    .min(1)
    .default(10 * 60 * 1000),
  /** Name servers the checker asks (ip[:port]); absent: the embedded server. */
  checkerNameServers: z.array(z.string()).optional(),
  checkerTimeoutMs: z.number().int().min(1).default(2_000),
  checkerTries: z.number().int().min(1).default(2),
});

export type LocalProvisioningOptions = z.input<typeof localProvisioningOptionsSchema>;

export interface LocalProvisioning extends Provisioning {
  readonly kind: "local";
  dns: LocalDnsProvider;
  certificates: LocalCertificateProvider;
  checker: ResolverDnsChecker;
  /** The embedded DNS server: `dig @<host> -p <port> <name>`. */
  dnsServer: Pick<EmbeddedDnsServer, "host" | "port" | "address">;
  close(): Promise<void>;
}

export async function createLocalProvisioning(input: LocalProvisioningOptions): Promise<LocalProvisioning> {
  const parsed = localProvisioningOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new BotgateError("BAD_REQUEST", `invalid local provisioning settings: ${problems}`);
  }
  const options = parsed.data;
  const nameServers = options.nameServers ?? [`ns1.${options.rootDomain}`, `ns2.${options.rootDomain}`];
  const dns = new LocalDnsProvider({
    platformDomain: options.platformDomain,
    nameServers,
    ...(options.stateDir === undefined ? {} : { statePath: join(options.stateDir, "local-dns.json") }),
  });
  const certificates = new LocalCertificateProvider({
    dns,
    issueDelayMs: options.issueDelayMs,
    validationTimeoutMs: options.validationTimeoutMs,
    ...(options.stateDir === undefined ? {} : { statePath: join(options.stateDir, "local-ca.json") }),
  });
  const server = await startEmbeddedDnsServer(dns, { host: options.dnsHost, port: options.dnsPort });
  const checker = new ResolverDnsChecker({
    nameServers: options.checkerNameServers ?? [server.address],
    timeoutMs: options.checkerTimeoutMs,
    tries: options.checkerTries,
  });
  return {
    kind: "local",
    dns,
    certificates,
    checker,
    dnsServer: { host: server.host, port: server.port, address: server.address },
    close: () => server.close(),
  };
}
