// One settings object chooses the provider: `createProvisioning(settings)` answers the local or
// the aws Provisioning, plus where default hosts point (the edge target) and close().
import { BotgateError } from "@botgate/core";
import { z } from "zod";
import { awsProvisioningSettingsSchema, createAwsProvisioning } from "./aws/index.ts";
import { createLocalProvisioning, localProvisioningOptionsSchema } from "./local/index.ts";
import type { DnsRecord, Provisioning } from "./types.ts";

/** EDGE_TARGET: an IP address (A/AAAA records) or a hostname (a CNAME target). */
export const edgeTargetSchema = z
  .string()
  .trim()
  .min(1)
  .refine(
    (v) =>
      /^\d{1,3}(\.\d{1,3}){3}$/.test(v) ||
      /^[0-9a-f:]+$/i.test(v) ||
      /^[a-z0-9-]+(\.[a-z0-9-]+)+\.?$/i.test(v),
    "must be an IP address or a hostname",
  );

export const provisioningSettingsSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("local"),
    /** EDGE_TARGET: what default hosts point at; local default 127.0.0.1 (the edge on loopback). */
    edgeTarget: edgeTargetSchema.default("127.0.0.1"),
    local: localProvisioningOptionsSchema,
  }),
  z.object({
    kind: z.literal("aws"),
    /** EDGE_TARGET: the edge's public hostname (a CNAME target) or IP address. */
    edgeTarget: edgeTargetSchema,
    aws: awsProvisioningSettingsSchema,
  }),
]);

export type ProvisioningSettings = z.input<typeof provisioningSettingsSchema>;

export interface ProvisioningRuntime extends Provisioning {
  edgeTarget: string;
  /** The record a default host or custom-domain host needs to reach the edge. */
  edgeRecord(host: string, ttl?: number): DnsRecord;
  /** The embedded DNS server's `host:port` (local only). */
  localDnsServer: string | null;
  close(): Promise<void>;
}

/** Validates the settings and builds the providers; the local one starts its DNS server. */
export async function createProvisioning(input: ProvisioningSettings): Promise<ProvisioningRuntime> {
  const parsed = provisioningSettingsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new BotgateError("BAD_REQUEST", `invalid provisioning settings: ${problems}`);
  }
  const settings = parsed.data;
  const target = settings.edgeTarget.replace(/\.$/, "").toLowerCase();
  const edgeRecord = (host: string, ttl = 60): DnsRecord => ({
    name: host.toLowerCase().replace(/\.$/, ""),
    type: target.includes(":") ? "AAAA" : /^\d{1,3}(\.\d{1,3}){3}$/.test(target) ? "A" : "CNAME",
    values: [target],
    ttl,
  });
  if (settings.kind === "aws") {
    const aws = createAwsProvisioning(settings.aws);
    return { ...pick(aws), edgeTarget: target, edgeRecord, localDnsServer: null, close: aws.close };
  }
  const local = await createLocalProvisioning(settings.local);
  return {
    ...pick(local),
    edgeTarget: target,
    edgeRecord,
    localDnsServer: local.dnsServer.address,
    close: local.close,
  };
}

function pick(p: Provisioning): Provisioning {
  return { kind: p.kind, dns: p.dns, certificates: p.certificates, checker: p.checker };
}
