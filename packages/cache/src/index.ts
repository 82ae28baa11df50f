export { type DomainSetStore, MemoryDomainSetStore, UpstashDomainSetStore } from "./domain-set-store.ts";
export { MemoryRouteStore, type MemoryRouteStoreOptions } from "./memory-route-store.ts";
export {
  MemoryNonceStore,
  type MemoryNonceStoreOptions,
  RedisNonceStore,
  type RedisNonceStoreOptions,
  type RedisSetCommand,
  UpstashNonceStore,
  type UpstashNonceStoreOptions,
} from "./nonce-stores.ts";
export { decodeStoredRoute, type RouteStore, type RouteWrite } from "./route-store.ts";
export { ROUTE_TTL } from "./route-ttl.ts";
export { type RouteChange, type RouteWriteResult, routeTargetsOf, writeRoutes } from "./route-writer.ts";
export {
  type LookupEvent,
  type ResolvedRoute,
  type RouteSource,
  TieredRouteResolver,
  type TieredRouteResolverOptions,
} from "./tiered-route-resolver.ts";
export {
  type UpstashRedisLike,
  UpstashRouteStore,
  type UpstashRouteStoreOptions,
} from "./upstash-route-store.ts";
