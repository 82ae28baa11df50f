// The platform's environment model. Built once at start from configuration (never from
// globals) and passed to every derivation, so core stays pure and runtime-agnostic.

import { BotgateError } from "./errors.ts";
import { foldHostname, looksLikeIpv4, toAsciiHostname } from "./hostname.ts";

export const PLATFORM_ENVIRONMENTS = ["local", "alpha", "beta", "next", "prod"] as const;
export type PlatformEnvironment = (typeof PLATFORM_ENVIRONMENTS)[number];

export interface PlatformConfigInput {
  /** Typically ENVIRONMENT; validated here. */
  environment: string;
  /** The root domain, e.g. `example.com`. */
  rootDomain: string;
  /** Defaults to `<env>.api.<root>`, `api.<root>` (prod) or `api.local.<root>` (local). */
  apiDomain?: string | undefined;
  /** The sandbox/workbench host. Defaults like apiDomain with `platform` instead of `api`. */
  platformDomain?: string | undefined;
  /** Appended to every URL (never to hosts), e.g. 8787 when the edge runs locally. */
  port?: number | undefined;
}

export interface PlatformConfig {
  readonly environment: PlatformEnvironment;
  readonly rootDomain: string;
  readonly apiDomain: string;
  readonly platformDomain: string;
  readonly scheme: "http" | "https";
  readonly port: number | null;
  /** `<scheme>://<apiDomain>[:port]`, no trailing slash. */
  readonly apiUrl: string;
  /** `<scheme>://<platformDomain>[:port]`, no trailing slash. */
  readonly platformUrl: string;
}

/** Longest default-host prefix: `<63-char rfc1034 name>.<dddd-dddd-dddd>.` */
const DEFAULT_HOST_PREFIX_MAX = 63 + 1 + 14 + 1;

export function isPlatformEnvironment(value: unknown): value is PlatformEnvironment {
  return (PLATFORM_ENVIRONMENTS as readonly unknown[]).includes(value);
}

/** @throws BotgateError("BAD_REQUEST") naming the offending setting. */
export function platformConfig(input: PlatformConfigInput): PlatformConfig {
  const { environment } = input;
  if (!isPlatformEnvironment(environment)) {
    throw configError(
      `environment must be one of ${PLATFORM_ENVIRONMENTS.join(", ")} (got "${environment}")`,
    );
  }
  const rootDomain = configHostname("rootDomain", input.rootDomain);
  const apiDomain = configHostname(
    "apiDomain",
    input.apiDomain ?? defaultDomain("api", environment, rootDomain),
  );
  const platformDomain = configHostname(
    "platformDomain",
    input.platformDomain ?? defaultDomain("platform", environment, rootDomain),
  );
  if (apiDomain.length > 253 - DEFAULT_HOST_PREFIX_MAX) {
    throw configError(`apiDomain "${apiDomain}" is too long to have chatbot default hosts under it`);
  }
  if (apiDomain === platformDomain) throw configError("apiDomain and platformDomain must differ");
  const { port } = input;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw configError(`port must be an integer from 1 to 65535 (got ${port})`);
  }
  const scheme = environment === "local" ? "http" : "https";
  const base = { scheme, port: port ?? null } as const;
  return Object.freeze({
    environment,
    rootDomain,
    apiDomain,
    platformDomain,
    ...base,
    apiUrl: urlForHost(apiDomain, base),
    platformUrl: urlForHost(platformDomain, base),
  });
}

/** `<scheme>://<host>[:port]`; the port is left out when it is the scheme's default. */
export function urlForHost(host: string, config: Pick<PlatformConfig, "scheme" | "port">): string {
  const defaultPort = config.scheme === "https" ? 443 : 80;
  const port = config.port === null || config.port === defaultPort ? "" : `:${config.port}`;
  return `${config.scheme}://${host}${port}`;
}

/** The domains customers may never claim: the root, API and platform domains (and subdomains). */
export function platformReservedSuffixes(config: PlatformConfig): readonly string[] {
  return [config.rootDomain, config.apiDomain, config.platformDomain];
}

function defaultDomain(service: "api" | "platform", environment: PlatformEnvironment, root: string): string {
  if (environment === "prod") return `${service}.${root}`;
  if (environment === "local") return `${service}.local.${root}`;
  return `${environment}.${service}.${root}`;
}

function configHostname(setting: string, value: unknown): string {
  if (typeof value !== "string") throw configError(`${setting} must be a hostname`);
  if (value.includes(":"))
    throw configError(`${setting} "${value}" must not contain a scheme or port (use port)`);
  const name = toAsciiHostname(foldHostname(value.trim()));
  if (!name.ok) throw configError(`${setting} "${value}" is not a valid hostname: ${name.error.message}`);
  if (looksLikeIpv4(name.value))
    throw configError(`${setting} "${value}" must be a hostname, not an IP address`);
  return name.value;
}

function configError(message: string): BotgateError {
  return new BotgateError("BAD_REQUEST", `Invalid platform configuration: ${message}.`);
}
