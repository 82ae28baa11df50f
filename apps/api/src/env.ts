// The API process's whole configuration, parsed once at start with clear errors.
// Nothing else in the app reads process.env.
import { isIP } from "node:net";
import { parseSecretsKey } from "@botgate/api";
import { edgeSecretProblem, edgeSecretSetting, isDevelopmentSetup } from "@botgate/forwarding";
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

    OPENAI_API_KEY: optionalString,
    OPENAI_BASE_URL: optionalUrl,

    /** Chat origin bounds: messages a chat call may send, and characters in each. */
    CHAT_MAX_MESSAGES_PER_CALL: z.coerce.number().int().min(1).max(1_000).default(100),
    CHAT_MAX_MESSAGE_CHARS: z.coerce.number().int().min(1).max(1_000_000).default(16_000),
    /** Turns (a user message and its answer) a session keeps; older ones are deleted. */
    CHAT_MAX_TURNS_PER_SESSION: z.coerce.number().int().min(1).max(100_000).default(200),
    /** Messages of history one /config/ answer returns; `next_cursor` pages through the rest. */
    CHAT_HISTORY_PAGE_SIZE: z.coerce.number().int().min(1).max(500).default(20),

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
    if (env.PROVISIONING === "aws" && !env.AWS_REGION) {
      ctx.addIssue({ code: "custom", path: ["AWS_REGION"], message: "required when PROVISIONING=aws" });
    }
  });

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
