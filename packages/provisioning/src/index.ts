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
export type * from "./types.ts";
