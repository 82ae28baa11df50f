// What every procedure receives. Built per HTTP request by whichever server hosts the router
// (the API app's Hono route, the benchmark's standalone server). Authentication is lazy and
// once per request: the first protected call of a batch looks the token up, the others share
// that answer, and a request that calls nothing protected costs no token lookup.
import type { DomainSetStore, RouteStore } from "@botgate/cache";
import type { PlatformConfig } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import type { EgressPolicy } from "@botgate/egress";
import type { Provisioning } from "@botgate/provisioning";
import type { JobQueue } from "./jobs.ts";
import { authenticate, type Principal } from "./services/auth.ts";
import type { PlatformProvider } from "./services/providers.ts";
import type { SecretBox } from "./services/secret-box.ts";
import type { WebhookSettings } from "./services/webhook-delivery.ts";

export interface ApiLogger {
  warn(message: string, error?: unknown): void;
  error(message: string, error?: unknown): void;
}

/** The long-lived dependencies of the admin API. */
export interface ApiServices {
  db: DatabaseClient;
  /** The routing cache every routing mutation writes through to. */
  routes: RouteStore;
  config: PlatformConfig;
  provisioning: Provisioning;
  logger: ApiLogger;
  /** Seals the secrets the platform must read back (provider keys, webhook secrets). */
  secrets: SecretBox;
  /** The platform default LLM provider ("openai", from OPENAI_API_KEY); absent: none. */
  platformProvider?: PlatformProvider | null;
  /** The durable job queue (packages/jobs): deployment work runs there, not in the request. */
  jobs: JobQueue;
  /** The cached set of verified custom domains (getVerifiedDomains); absent: read from the database. */
  verifiedDomains?: DomainSetStore;
  /** How long an unverified domain claim lives (DOMAIN_CLAIM_TTL_HOURS; default 72). */
  domainClaimTtlHours?: number;
  /** How often event.onChange looks for new events (default 1.5 s). */
  eventPollIntervalMs?: number;
  /** Webhook delivery (WEBHOOK_* variables); absent: production defaults (https, public hosts only). */
  webhooks?: WebhookSettings;
  /**
   * Where requests to customer-chosen URLs (account provider records) may go; absent: the
   * production policy (https, public addresses only, checked again when connecting).
   */
  egress?: EgressPolicy;
}

/** A type, not an interface: HTTP adapters require a plain record. */
export type Context = {
  services: ApiServices;
  /** The caller, authenticated on first use and memoized for the rest of the request. */
  principal(): Promise<Principal>;
};

export function createContext(services: ApiServices, authorization: string | null | undefined): Context {
  let principal: Promise<Principal> | null = null;
  return {
    services,
    principal: () => {
      principal ??= authenticate(services.db, authorization ?? null);
      return principal;
    },
  };
}
