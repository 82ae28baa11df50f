// `aws` provisioning: Route53 for DNS, ACM for certificates, and the resolver checker asking the
// configured name servers. Throttling is retried by the SDK itself (maxAttempts).
import { ACMClient } from "@aws-sdk/client-acm";
import { Route53Client } from "@aws-sdk/client-route-53";
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import { ResolverDnsChecker } from "../checker.ts";
import type { Provisioning } from "../types.ts";
import { AcmCertificateProvider } from "./acm.ts";
import { Route53DnsProvider } from "./route53.ts";

/** `ip`, `ip:port` or `[ipv6]:port`, as node:dns Resolver.setServers() takes them. */
export const nameServerAddress = z.string().refine((entry) => {
  const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(entry);
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  return match?.[1] !== undefined && isIpAddress(match[1]) && port >= 1 && port <= 65535;
}, "each entry must be an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53");

function isIpAddress(value: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || (value.includes(":") && /^[0-9a-f:.]+$/i.test(value));
}

export const awsProvisioningSettingsSchema = z.object({
  /** AWS_REGION: where ACM certificates are requested (us-east-1 for CloudFront). */
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "not an AWS region, e.g. us-east-1"),
  /** AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (/ AWS_SESSION_TOKEN); absent: the SDK's default chain. */
  credentials: z
    .object({
      accessKeyId: z.string().min(16),
      secretAccessKey: z.string().min(16),
      sessionToken: z.string().min(1).optional(),
    })
    .optional(),
  /** PLATFORM_HOSTED_ZONE_ID: the Route53 zone of the platform (API) domain. */
  platformHostedZoneId: z
    .string()
    .regex(/^(\/hostedzone\/)?Z[A-Z0-9]{1,32}$/, "not a Route53 hosted zone id, e.g. Z0123456789ABCDEFGHIJ"),
  /** DNS_RESOLVERS: what the checker asks; empty: the system's resolvers. */
  nameServersForChecks: z.array(nameServerAddress).default([]),
  checkerTimeoutMs: z.number().int().min(1).default(3_000),
  checkerTries: z.number().int().min(1).default(2),
  /** SDK attempts per call, throttling included. */
  maxAttempts: z.number().int().min(1).max(20).default(5),
  /** Another endpoint for both services (LocalStack, a test server); absent: AWS's own. */
  endpoint: z.url().optional(),
});

export type AwsProvisioningSettings = z.input<typeof awsProvisioningSettingsSchema>;

export interface AwsProvisioning extends Provisioning {
  readonly kind: "aws";
  dns: Route53DnsProvider;
  certificates: AcmCertificateProvider;
  checker: ResolverDnsChecker;
  close(): Promise<void>;
}

export function createAwsProvisioning(
  input: AwsProvisioningSettings,
  /** Tests hand in clients to mock one instance at a time. */
  clients: { route53?: Route53Client; acm?: ACMClient } = {},
): AwsProvisioning {
  const parsed = awsProvisioningSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new BotgateError("BAD_REQUEST", `invalid aws provisioning settings: ${problems}`);
  }
  const settings = parsed.data;
  const common = {
    region: settings.region,
    maxAttempts: settings.maxAttempts,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
  };
  const route53 = clients.route53 ?? new Route53Client(common);
  const acm = clients.acm ?? new ACMClient(common);
  return {
    kind: "aws",
    dns: new Route53DnsProvider({ client: route53, platformHostedZoneId: settings.platformHostedZoneId }),
    certificates: new AcmCertificateProvider({ client: acm }),
    checker: new ResolverDnsChecker({
      nameServers: settings.nameServersForChecks,
      timeoutMs: settings.checkerTimeoutMs,
      tries: settings.checkerTries,
    }),
    close: async () => {
      route53.destroy();
      acm.destroy();
    },
  };
}
