// Which secret signs edge → origin requests: the one rule both apps' env.ts apply, so the
// edge and the API cannot disagree about when the public development secret is acceptable.

/**
 * Used only by a development setup (see isDevelopmentSetup) when EDGE_SHARED_SECRET is unset,
 * so `npm run dev` needs no setup. It is public: both apps refuse it everywhere else.
 */
export const LOCAL_DEVELOPMENT_SECRET = "botgate-local-development-edge-secret";

export const MIN_EDGE_SECRET_LENGTH = 32;

export interface EdgeSecretSetting {
  /** ENVIRONMENT as configured (after the app's default). */
  environment: string;
  /** PLATFORM_ROOT_DOMAIN and the API/platform domain overrides, when set. */
  rootDomain: string;
  apiDomain?: string | undefined;
  platformDomain?: string | undefined;
  /** EDGE_SHARED_SECRET, undefined when unset or blank. */
  secret: string | undefined;
  /** BOTGATE_DEV: the operator says this is a development machine. */
  devFlag: boolean;
}

/** The variables the rule reads, named as both apps' environments name them. */
export interface EdgeSecretVariables {
  ENVIRONMENT: string;
  PLATFORM_ROOT_DOMAIN: string;
  API_DOMAIN?: string | undefined;
  PLATFORM_DOMAIN?: string | undefined;
  EDGE_SHARED_SECRET?: string | undefined;
  BOTGATE_DEV?: boolean | undefined;
}

export function edgeSecretSetting(env: EdgeSecretVariables): EdgeSecretSetting {
  return {
    environment: env.ENVIRONMENT,
    rootDomain: env.PLATFORM_ROOT_DOMAIN,
    apiDomain: env.API_DOMAIN,
    platformDomain: env.PLATFORM_DOMAIN,
    secret: env.EDGE_SHARED_SECRET,
    devFlag: env.BOTGATE_DEV ?? false,
  };
}

const isLocalhostName = (name: string) => {
  const host = name.trim().toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host.endsWith(".localhost");
};

/**
 * A development setup: ENVIRONMENT=local and either every platform domain under `.localhost`
 * (names that never leave the machine) or BOTGATE_DEV set. Anything else may face the internet.
 */
export function isDevelopmentSetup(setting: Omit<EdgeSecretSetting, "secret">): boolean {
  if (setting.environment !== "local") return false;
  if (setting.devFlag) return true;
  return [setting.rootDomain, setting.apiDomain, setting.platformDomain]
    .filter((domain) => domain !== undefined)
    .every(isLocalhostName);
}

/** For messages: what counts as a development setup. */
export const DEVELOPMENT_SETUP = "ENVIRONMENT=local with a .localhost PLATFORM_ROOT_DOMAIN or BOTGATE_DEV=1";

/** Why this setting must not start, or null. Never includes the secret itself. */
export function edgeSecretProblem(setting: EdgeSecretSetting): string | null {
  if (isDevelopmentSetup(setting)) return null;
  const { secret } = setting;
  if (secret === undefined) {
    return `required: at least ${MIN_EDGE_SECRET_LENGTH} random characters, shared by the edge and the API (the development secret is used only with ${DEVELOPMENT_SETUP})`;
  }
  if (secret === LOCAL_DEVELOPMENT_SECRET) {
    return `the public development secret is accepted only with ${DEVELOPMENT_SETUP}`;
  }
  if (secret.length < MIN_EDGE_SECRET_LENGTH) {
    return `at least ${MIN_EDGE_SECRET_LENGTH} characters are required (got ${secret.length})`;
  }
  return null;
}

/** The secret to sign and verify with. @throws Error with edgeSecretProblem's text when refused. */
export function edgeSecretFor(setting: EdgeSecretSetting): string {
  const problem = edgeSecretProblem(setting);
  if (problem !== null) throw new Error(`EDGE_SHARED_SECRET: ${problem}`);
  return setting.secret ?? LOCAL_DEVELOPMENT_SECRET;
}
