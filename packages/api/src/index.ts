export { type ApiLogger, type ApiServices, type Context, createContext } from "./context.ts";
export { DATABASE_RETRY_AFTER_SECONDS, failureSummary, isDatabaseUnavailable } from "./database-outage.ts";
export { botgateErrorOf, retryAfterSeconds } from "./errors.ts";
export { createLocalProvisioning, type LocalProvisioningOptions } from "./provisioning/local.ts";
export { type OwnershipRecord, ownershipRecord } from "./provisioning/ownership-record.ts";
export type * from "./provisioning/types.ts";
export { type AppRouter, appRouter } from "./router.ts";
export * from "./services/accounts.ts";
export type { ApiKeyView, NewApiKey } from "./services/api-keys.ts";
export { authenticate, LAST_USED_RESOLUTION_MS, type Principal, revokeAdminToken } from "./services/auth.ts";
export type { ChatbotView } from "./services/chatbot-view.ts";
export type { DnsInstructions, DomainView } from "./services/domains.ts";
export { type ChatbotFactsRow, chatbotFactsOf } from "./services/facts.ts";
export type { RequestLogEntry } from "./services/requests.ts";
export {
  buildRouteRecord,
  publishRoutes,
  type RouteRow,
  type RoutingChange,
  routeEntryFor,
  routeRowSelect,
} from "./services/routing.ts";
export * from "./services/secrets.ts";
