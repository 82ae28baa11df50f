export { type ApiLogger, type ApiServices, type Context, createContext } from "./context.ts";
export { DATABASE_RETRY_AFTER_SECONDS, failureSummary, isDatabaseUnavailable } from "./database-outage.ts";
export { botgateErrorOf, retryAfterSeconds } from "./errors.ts";
export type { JobData, JobQueue, JobRequest } from "./jobs.ts";
export { type OwnershipRecord, ownershipRecord } from "./provisioning/ownership-record.ts";
export { type AppRouter, appRouter } from "./router.ts";
export { type AccountStatus, reactivateAccount, suspendAccount } from "./services/account-status.ts";
export * from "./services/accounts.ts";
export type { AdminTokenView } from "./services/admin-tokens.ts";
export type { ApiKeyView, NewApiKey } from "./services/api-keys.ts";
export { authenticate, LAST_USED_RESOLUTION_MS, type Principal, revokeAdminToken } from "./services/auth.ts";
export type { ChatbotView } from "./services/chatbot-view.ts";
export {
  DEPLOYMENT_QUEUE,
  type DeploymentJob,
  deploymentSingletonKey,
  dnsRecordOfRow,
  enqueueDeploymentJob,
} from "./services/deployment-jobs.ts";
export { applyDeploymentChange, type DeploymentChange } from "./services/deployment-transitions.ts";
export {
  checksOf,
  type DomainDiagnostics,
  type DomainStatus,
  diagnosticsOf,
} from "./services/domain-diagnostics.ts";
export {
  DOMAIN_JOBS,
  type DomainJobData,
  type DomainRemovalData,
  domainSingletonKey,
} from "./services/domain-jobs.ts";
export {
  markDomainVerified,
  type TransitionServices,
  unverifyDomain,
  type VerifyOutcome,
} from "./services/domain-transitions.ts";
export {
  claimExpiry,
  cleanupExpiredDomainClaims,
  DEFAULT_DOMAIN_CLAIM_TTL_HOURS,
  type DnsInstructions,
  type DomainView,
  deleteExpiredDomainClaims,
  isVerifiedElsewhere,
  toDomainView,
} from "./services/domains.ts";
export { type EventView, toEventView } from "./services/event-log.ts";
export { type EventType, type NewEvent, recordEvents, statusChange } from "./services/events.ts";
export { type ChatbotFactsRow, chatbotFactsOf } from "./services/facts.ts";
export { backfillHostLabels, hostLabelOf } from "./services/host-names.ts";
export {
  type MemberView,
  type RemovedMember,
  removeMember,
  removeMemberByUsername,
} from "./services/members.ts";
export {
  apiKeyHint,
  chatProviderOf,
  ECHO_PROVIDER,
  PLATFORM_PROVIDER_NAME,
  type PlatformProvider,
  type ProviderList,
  type ProviderTestResult,
  type ProviderView,
  type ResolvedProvider,
  resolveProvider,
} from "./services/providers.ts";
export type { RequestLogEntry } from "./services/requests.ts";
export {
  buildRouteRecord,
  publishRoutes,
  type RouteRow,
  type RoutingChange,
  type RoutingServices,
  routeEntryFor,
  routeRowSelect,
} from "./services/routing.ts";
export { chatbotScope, isChatbotRowInScope } from "./services/scope.ts";
export { createSecretBox, parseSecretsKey, type SecretBox, secretBoxFor } from "./services/secret-box.ts";
export * from "./services/secrets.ts";
export {
  getVerifiedDomains,
  invalidateVerifiedDomains,
  VERIFIED_DOMAINS_TTL_SECONDS,
} from "./services/verified-domains.ts";
export {
  type AttemptReport,
  attemptDelivery,
  DEFAULT_WEBHOOK_SETTINGS,
  messageIdOf,
  type WebhookSettings,
} from "./services/webhook-delivery.ts";
export { type DeliveryQueue, endpointWants, setDeliveryQueue } from "./services/webhook-fanout.ts";
export {
  deleteOldWebhookDeliveries,
  type NewWebhookEndpoint,
  type WebhookDeliveryView,
  type WebhookEndpointView,
} from "./services/webhooks.ts";
