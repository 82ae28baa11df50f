export { AcmCertificateProvider } from "./aws/acm.ts";
export {
  type AwsProvisioning,
  type AwsProvisioningSettings,
  awsProvisioningSettingsSchema,
  createAwsProvisioning,
  nameServerAddress,
} from "./aws/index.ts";
export { decodeName, quoteTxt, Route53DnsProvider, unquoteTxt, zoneIdOf } from "./aws/route53.ts";
export { ResolverDnsChecker, type ResolverDnsCheckerOptions } from "./checker.ts";
export { LocalCertificateProvider } from "./local/ca.ts";
export { LocalDnsProvider } from "./local/dns-provider.ts";
export { type EmbeddedDnsServer, startEmbeddedDnsServer } from "./local/dns-server.ts";
export {
  createLocalProvisioning,
  type LocalProvisioning,
  type LocalProvisioningOptions,
  localProvisioningOptionsSchema,
} from "./local/index.ts";
export { normalizeName } from "./names.ts";
export {
  createProvisioning,
  edgeTargetSchema,
  type ProvisioningRuntime,
  type ProvisioningSettings,
  provisioningSettingsSchema,
} from "./settings.ts";
export type * from "./types.ts";
