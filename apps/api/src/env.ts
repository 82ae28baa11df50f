// The API process's whole configuration, parsed once at start with clear errors.
// Nothing else in the app reads process.env.
import { isIP } from "node:net";
import { parseSecretsKey } from "@botgate/api";
import { edgeSecretProblem, edgeSecretSetting, isDevelopmentSetup } from "@botgate/forwarding";
import { awsProvisioningSettingsSchema, type ProvisioningSettings } from "@botgate/provisioning";
import { z } from "zod";

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .optional();

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === "" ? undefined : v))
  .pipe(z.url().optional())
  .optional();

/** A comma-separated list; empty entries are dropped. */
function commaList(item: z.ZodType<string, string>) {
  return z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((entry) => entry.trim())
        .filter((entry) => entry !== ""),
    )
    .pipe(z.array(item))
    .optional();
}

/** `ip`, `ip:port` or `[ipv6]:port`, as node:dns Resolver.setServers() takes them. */
const dnsServer = z.string().refine((entry) => {
  const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(entry);
  const port = match?.[2] === undefined ? 53 : Number(match[2]);
  return match?.[1] !== undefined && isIP(match[1]) !== 0 && port >= 1 && port <= 65535;
}, "each entry must be an IP address with an optional port, e.g. 127.0.0.1:5353 or [::1]:53");

const hostname = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i, "not a hostname");

const booleanFlag = z
  .enum(["true", "false", "1", "0", ""])
  .transform((v) => v === "true" || v === "1")
  .optional();

export const envSchema = z
  .object({
    ENVIRONMENT: z.enum(["local", "alpha", "beta", "next", "prod"]).default("local"),
    PLATFORM_ROOT_DOMAIN: z.string().trim().min(1).default("botgate.localhost"),
    /** Override the derived API domain (`api.local.<root>` in local). */
    API_DOMAIN: optionalString,
    /** Override the derived platform (sandbox) domain. */
    PLATFORM_DOMAIN: optionalString,
    /** Port appended to public URLs in local development (where the edge listens). */
    PUBLIC_PORT: z.coerce.number().int().min(1).max(65535).optional(),

    HOST: z.string().default("127.0.0.1"),
    PORT: z.coerce.number().int().min(0).max(65535).default(8788),

    /** Absent: an embedded Postgres persisted under DATA_DIR. */
    DATABASE_URL: optionalUrl,
    DATA_DIR: z.string().default(".data"),
    /** Apply pending migrations at start (default: only with the embedded database). */
    MIGRATE_ON_START: booleanFlag,

    UPSTASH_REDIS_REST_URL: optionalUrl,
    UPSTASH_REDIS_REST_TOKEN: optionalString,
    /** A plain Redis to serve through the built-in Upstash-compatible endpoint (development). */
    REDIS_URL: optionalUrl,

    /** Signs edge → origin requests; required (32+ characters) outside a development setup. */
    EDGE_SHARED_SECRET: optionalString,
    /**
     * Seals stored secrets (provider API keys, webhook secrets): 32 bytes as 64 hex digits or
     * base64. Required outside a development setup, which uses a public built-in key.
     */
    SECRETS_ENCRYPTION_KEY: optionalString,
    /** A development machine: the built-in edge secret is accepted with ENVIRONMENT=local. */
    BOTGATE_DEV: booleanFlag,

    /** How long an unverified domain claim lives before it lapses (hours). */
    DOMAIN_CLAIM_TTL_HOURS: z.coerce.number().positive().max(8_760).default(72),
    /** How long a verified domain whose DNS moved away keeps routing before it is unverified (hours). */
    DOMAIN_REVERIFY_GRACE_HOURS: z.coerce.number().positive().max(8_760).default(72),

    PROVISIONING: z.enum(["local", "aws"]).default("local"),
    /**
     * DNS servers the checks ask (comma-separated ip[:port]); absent: the embedded DNS server
     * with PROVISIONING=local, else the system's.
     */
    DNS_RESOLVERS: commaList(dnsServer),
    /** Name servers customers delegate their domains to with local provisioning; default ns1/ns2.<root>. */
    LOCAL_NAME_SERVERS: commaList(hostname),
    /** What default hosts' DNS records point at: a hostname (CNAME) or an IP address (A/AAAA). */
    EDGE_TARGET: z
      .string()
      .trim()
      .refine((v) => isIP(v) !== 0 || hostname.safeParse(v).success, "an IP address or a hostname")
      .default("127.0.0.1"),
    /** The embedded DNS server's UDP/TCP port with PROVISIONING=local (0: any free port). */
    LOCAL_DNS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
    /** How long the local CA takes to issue a certificate (milliseconds). */
    LOCAL_CERT_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(1_000),
    /** The deployment job's first re-check delay (seconds), doubled per attempt up to the max. */
    DEPLOY_RECHECK_BASE_SECONDS: z.coerce.number().min(0.1).max(600).default(0.5),
    DEPLOY_RECHECK_MAX_SECONDS: z.coerce.number().min(1).max(86_400).default(60),
    AWS_REGION: optionalString,
    AWS_ACCESS_KEY_ID: optionalString,
    AWS_SECRET_ACCESS_KEY: optionalString,
    /** With temporary explicit credentials; the key id and secret come both or neither. */
    AWS_SESSION_TOKEN: optionalString,
    /** SDK attempts per AWS call, throttling retries included. */
    AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
    /** The Route53 hosted zone of the API domain (default hosts live in it); required with aws. */
    PLATFORM_HOSTED_ZONE_ID: optionalString,
    /** Per-try timeout and tries of the DNS checks. */
    DNS_CHECK_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(3_000),
    DNS_CHECK_TRIES: z.coerce.number().int().min(1).max(10).default(2),
    /** The embedded DNS server's address with PROVISIONING=local. */
    LOCAL_DNS_HOST: z.string().trim().default("127.0.0.1"),
    /** A local certificate whose validation records never appear fails after this long. */
    LOCAL_CERT_VALIDATION_TIMEOUT_MS: z.coerce.number().int().min(1).default(600_000),

    /** `inline`: this process runs the job worker; `off`: a separate `worker` process does. */
    JOBS_WORKER: z.enum(["inline", "off"]).default("inline"),
    /** How often an idle worker polls for jobs, in seconds (pg-boss's minimum: 0.5). */
    JOBS_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(0.5),
    /** Polling loops per queue in one worker process. */
    JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
    /** A job active this long (its worker died) runs again: keep it short, jobs are short. */
    JOBS_EXPIRE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(15),
    /** How often a worker process expires dead workers' jobs (pg-boss maintenance), in seconds. */
    JOBS_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3_600).default(5),

    /** The platform default LLM provider, named "openai"; absent: chatbots naming it answer through echo. */
    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,
    /** Models chatbots may use with the platform default (comma-separated); absent: any. */
    OPENAI_ALLOWED_MODELS: commaList(z.string().max(255).regex(/^\S+$/, "a model name has no whitespace")),
    /** The model of chatbots on the platform default that name none; default: the first allowed, else gpt-4o-mini. */
    OPENAI_DEFAULT_MODEL: optionalString.pipe(z.string().max(255).optional()),
    /** Platform default timeouts: whole call / time to first streamed chunk, and between chunks. */
    OPENAI_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(60_000),
    OPENAI_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),

    /** Chatbot functions: the weather service get_current_weather asks (GET ?location=&unit=); absent: "not configured". */
    WEATHER_SERVICE_URL: optionalUrl,
    /** Time the weather service has to answer one call. */
    WEATHER_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
    /** Rounds of tool calls one chat turn may run before the model must answer. */
    CHAT_TOOL_MAX_ROUNDS: z.coerce.number().int().min(1).max(16).default(4),

    /** Chat origin bounds: messages a chat call may send, and characters in each. */
    CHAT_MAX_MESSAGES_PER_CALL: z.coerce.number().int().min(1).max(1_000).default(100),
    CHAT_MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).max(1_000_000).default(16_000),
    /** Turns (a user message and its answer) a session keeps; older ones are deleted. */
    CHAT_MAX_TURNS_PER_SESSION: z.coerce.number().int().min(1).max(100_000).default(200),
    /** Messages of history one /config/ answer returns; `next_cursor` pages through the rest. */
    CHAT_HISTORY_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(20),
    /** Streamed answers: longest silence from the provider (first chunk included) before the stream fails. */
    CHAT_STREAM_IDLE_TIMEOUT_MS: z.coerce.number().int().min(10).max(600_000).default(60_000),
    /** Streamed answers: interval of `: ping` comments that keep idle connections open. */
    CHAT_STREAM_PING_MS: z.coerce.number().int().min(10).max(15_000).default(15_000),

    /** Chat rate limits: requests per window a chatbot admits from all clients, unless it sets its own. */
    RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(600),
    /** Chat requests per window one client IP (and one API key) may make, unless the chatbot sets its own. */
    RATE_LIMIT_CLIENT_REQUESTS: z.coerce.number().int().min(1).max(1_000_000).default(60),
    /** The sliding window of both, in seconds, unless the chatbot sets its own. */
    RATE_LIMIT_WINDOW_S: z.coerce.number().int().min(1).max(86_400).default(60),
    /** Past this a rate-limit call to Redis counts as failed; a decision takes at most twice it. */
    RATE_LIMIT_TIMEOUT_MS: z.coerce.number().int().min(1).max(5_000).default(100),
    /** Redis failed or slow: admit the request (open) or refuse it with 503 (closed). */
    RATE_LIMIT_ON_FAILURE: z.enum(["open", "closed"]).default("open"),

    /** The admin app's built files (apps/admin/dist by default), served at /admin/. */
    ADMIN_DIST_DIR: optionalString,

    /** How long one webhook delivery attempt waits for the receiver's answer. */
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().positive().max(60).default(15),
    /** An endpoint whose deliveries fail this long is disabled (fractions allowed). */
    WEBHOOK_DISABLE_AFTER_HOURS: z.coerce.number().positive().max(8_760).default(24),
    /** Delays before each retry (comma-separated seconds); default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
    WEBHOOK_RETRY_DELAYS_SECONDS: z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((entry) => entry.trim())
          .filter((entry) => entry !== ""),
      )
      .pipe(
        z
          .array(
            z
              .string()
              .transform(Number)
              .pipe(
                z
                  .number()
                  .nonnegative()
                  .max(7 * 86_400),
              ),
          )
          .min(1)
          .max(20),
      )
      .optional(),
    /** Finished webhook deliveries (visible through webhook.deliveries) are kept this long. */
    WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().positive().max(365).default(30),
  })
  .superRefine((env, ctx) => {
    if (env.UPSTASH_REDIS_REST_URL && !env.UPSTASH_REDIS_REST_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: ["UPSTASH_REDIS_REST_TOKEN"],
        message: "required when UPSTASH_REDIS_REST_URL is set",
      });
    }
    const secretProblem = edgeSecretProblem(edgeSecretSetting(env));
    if (secretProblem !== null) {
      ctx.addIssue({ code: "custom", path: ["EDGE_SHARED_SECRET"], message: secretProblem });
    }
    if (env.SECRETS_ENCRYPTION_KEY !== undefined && parseSecretsKey(env.SECRETS_ENCRYPTION_KEY) === null) {
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_ENCRYPTION_KEY"],
        message: "must be 32 bytes: 64 hex digits or base64 (openssl rand -base64 32)",
      });
    } else if (env.SECRETS_ENCRYPTION_KEY === undefined && !isDevelopmentSetup(edgeSecretSetting(env))) {
      ctx.addIssue({
        code: "custom",
        path: ["SECRETS_ENCRYPTION_KEY"],
        message: "required outside a development setup (openssl rand -base64 32)",
      });
    }
    if ((env.AWS_ACCESS_KEY_ID === undefined) !== (env.AWS_SECRET_ACCESS_KEY === undefined)) {
      const missing = env.AWS_ACCESS_KEY_ID === undefined ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY";
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY both, or neither",
      });
    }
    if (env.AWS_SESSION_TOKEN !== undefined && env.AWS_ACCESS_KEY_ID === undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["AWS_SESSION_TOKEN"],
        message: "only with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      });
    }
    if (env.PROVISIONING === "aws") {
      for (const name of ["AWS_REGION", "PLATFORM_HOSTED_ZONE_ID"] as const) {
        if (!env[name])
          ctx.addIssue({ code: "custom", path: [name], message: "required when PROVISIONING=aws" });
      }
      // The loopback default suits the local edge only: Route53 records must reach the public one.
      if (isLoopback(env.EDGE_TARGET)) {
        ctx.addIssue({
          code: "custom",
          path: ["EDGE_TARGET"],
          message: "set it to the edge's public hostname or IP address when PROVISIONING=aws",
        });
      }
      const aws = awsProvisioningSettingsSchema.safeParse(awsSettings(env));
      for (const issue of aws.success ? [] : aws.error.issues) {
        const variable =
          AWS_VARIABLES[issue.path.join(".")] ?? AWS_VARIABLES[String(issue.path[0])] ?? "PROVISIONING";
        // A missing variable is reported once, above.
        if (env[variable] !== undefined)
          ctx.addIssue({ code: "custom", path: [variable], message: issue.message });
      }
    }
    const allowed = env.OPENAI_ALLOWED_MODELS ?? [];
    if (
      env.OPENAI_DEFAULT_MODEL !== undefined &&
      allowed.length > 0 &&
      !allowed.includes(env.OPENAI_DEFAULT_MODEL)
    ) {
      ctx.addIssue({
        code: "custom",
        path: ["OPENAI_DEFAULT_MODEL"],
        message: "must be one of OPENAI_ALLOWED_MODELS",
      });
    }
  });

function isLoopback(target: string): boolean {
  const host = target.toLowerCase().replace(/\.$/, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "::1" || /^127\./.test(host);
}

/** Which variable feeds each aws provisioning setting (for error messages). */
const AWS_VARIABLES: Record<string, keyof Env> = {
  region: "AWS_REGION",
  "credentials.accessKeyId": "AWS_ACCESS_KEY_ID",
  "credentials.secretAccessKey": "AWS_SECRET_ACCESS_KEY",
  "credentials.sessionToken": "AWS_SESSION_TOKEN",
  platformHostedZoneId: "PLATFORM_HOSTED_ZONE_ID",
  nameServersForChecks: "DNS_RESOLVERS",
};

type AwsEnv = Pick<
  z.output<typeof envSchema>,
  | "AWS_REGION"
  | "AWS_ACCESS_KEY_ID"
  | "AWS_SECRET_ACCESS_KEY"
  | "AWS_SESSION_TOKEN"
  | "AWS_MAX_ATTEMPTS"
  | "PLATFORM_HOSTED_ZONE_ID"
  | "DNS_RESOLVERS"
  | "DNS_CHECK_TIMEOUT_MS"
  | "DNS_CHECK_TRIES"
>;

function awsSettings(env: AwsEnv) {
  return {
    region: env.AWS_REGION ?? "",
    ...(env.AWS_ACCESS_KEY_ID !== undefined && env.AWS_SECRET_ACCESS_KEY !== undefined
      ? {
          credentials: {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...(env.AWS_SESSION_TOKEN === undefined ? {} : { sessionToken: env.AWS_SESSION_TOKEN }),
          },
        }
      : {}),
    platformHostedZoneId: env.PLATFORM_HOSTED_ZONE_ID ?? "",
    nameServersForChecks: env.DNS_RESOLVERS ?? [],
    checkerTimeoutMs: env.DNS_CHECK_TIMEOUT_MS,
    checkerTries: env.DNS_CHECK_TRIES,
    maxAttempts: env.AWS_MAX_ATTEMPTS,
  };
}

/**
 * The settings `createProvisioning()` of @botgate/provisioning takes, from the environment.
 * `platform` comes from the PlatformConfig (root and API domain); `stateDir` is where the local
 * provider keeps local-dns.json / local-ca.json (absent: memory only, as tests want).
 */
export function provisioningSettings(
  env: Env,
  platform: { rootDomain: string; apiDomain: string },
  stateDir?: string,
): ProvisioningSettings {
  if (env.PROVISIONING === "aws") {
    return { kind: "aws", edgeTarget: env.EDGE_TARGET, aws: awsSettings(env) };
  }
  return {
    kind: "local",
    edgeTarget: env.EDGE_TARGET,
    local: {
      rootDomain: platform.rootDomain,
      platformDomain: platform.apiDomain,
      ...(env.LOCAL_NAME_SERVERS === undefined || env.LOCAL_NAME_SERVERS.length === 0
        ? {}
        : { nameServers: env.LOCAL_NAME_SERVERS }),
      ...(stateDir === undefined ? {} : { stateDir }),
      dnsHost: env.LOCAL_DNS_HOST,
      dnsPort: env.LOCAL_DNS_PORT,
      issueDelayMs: env.LOCAL_CERT_DELAY_MS,
      validationTimeoutMs: env.LOCAL_CERT_VALIDATION_TIMEOUT_MS,
      // Absent: the checker asks the embedded server itself.
      ...(env.DNS_RESOLVERS === undefined || env.DNS_RESOLVERS.length === 0
        ? {}
        : { checkerNameServers: env.DNS_RESOLVERS }),
      checkerTimeoutMs: env.DNS_CHECK_TIMEOUT_MS,
      checkerTries: env.DNS_CHECK_TRIES,
    },
  };
}

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  override readonly name = "EnvError";
}

/** Parses an environment; every problem is listed, one per line, by variable name. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
  throw new EnvError(`invalid environment:\n${lines.join("\n")}`);
}
