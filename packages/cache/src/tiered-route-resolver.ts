// The edge's route lookup: per-isolate LRU → shared store (Redis) → origin. Runtime-agnostic
// (workerd and Node): no node:* imports. lru-cache's fetch() collapses concurrent misses for
// one key into a single lookup, and its fetchMethod receives the expired value, which is our
// last resort when both the store and the origin fail.

import { BotgateError, parseRouteEntry, type RouteEntry, type RouteTarget, routeKey } from "@botgate/core";
import { LRUCache } from "lru-cache";
import type { RouteStore } from "./route-store.ts";
import { ROUTE_TTL } from "./route-ttl.ts";

export type RouteSource = "l1" | "l2" | "origin";

export interface ResolvedRoute {
  entry: RouteEntry;
  /** The tier that answered; a stale answer always comes from "l1". */
  source: RouteSource;
  /** True when the origin failed and an expired (but recent) entry was served instead. */
  stale: boolean;
}

export type LookupEvent = { key: string } & (
  | { tier: "l1"; outcome: "hit" | "miss" }
  | { tier: "l2"; outcome: "hit" | "miss" | "error"; error?: unknown }
  | { tier: "origin"; outcome: "hit" | "error" | "refused"; error?: unknown }
);

/**
 * Who is asking: the client an origin lookup is charged to (admitOriginLookup). As a function,
 * it is called only when a lookup gets that far: an L1 hit need not work out who asks.
 */
export interface ResolveOptions {
  caller?: string | (() => string);
}

export interface TieredRouteResolverOptions {
  /** Asks the origin (which reads Postgres); resolves NEGATIVE_ROUTE for unknown targets. */
  loadFromOrigin(target: RouteTarget): Promise<RouteEntry>;
  /**
   * Asked before an origin lookup for a target neither L1 nor the store could answer (and
   * that L1 did not hold as a found route before it expired); throws to refuse the lookup
   * (the error reaches every caller waiting on it, and nothing is cached).
   */
  admitOriginLookup?(target: RouteTarget, caller: string | undefined): Promise<void>;
  /** The shared L2; omit to go from L1 straight to the origin. */
  store?: RouteStore;
  /** Lets an L2 refill outlive the request (workerd ctx.waitUntil); without it there is no refill. */
  waitUntil?(promise: Promise<unknown>): void;
  /** Bound on L1 entries per isolate. Default 10 000. */
  maxEntries?: number;
  /** L1 lifetime of a found route. Default 5 000 ms. */
  positiveTtlMs?: number;
  /** L1 lifetime of an unknown target. Default 2 000 ms. */
  negativeTtlMs?: number;
  /** While the origin is failing, how long one stale answer is reused before trying again. Default 1 000 ms. */
  staleRetryMs?: number;
  /** Oldest entry (time since it was fetched) ever served stale. Default 5 minutes. */
  maxStaleMs?: number;
  /** TTLs of L2 refills. Default ROUTE_TTL.refillSeconds / ROUTE_TTL.negativeSeconds. */
  refillTtlSeconds?: number;
  refillNegativeTtlSeconds?: number;
  /** Clock for every TTL here (lru-cache `perf`); default lru-cache's (performance or Date). */
  clock?: { now(): number };
  /** Called as each tier is consulted; for metrics, logs and tests. Must not throw. */
  onLookup?(event: LookupEvent): void;
}

interface CachedRoute {
  entry: RouteEntry;
  source: "l2" | "origin";
  /** When it was last fetched fresh; bounds how old a stale answer may be. */
  fetchedAt: number;
  stale: boolean;
}

/** Wrapped: lru-cache's option types distribute over a union context such as RouteTarget. */
interface LookupContext {
  target: RouteTarget;
  caller: ResolveOptions["caller"];
}

type SetOptions = LRUCache.FetcherFetchOptions<string, CachedRoute, LookupContext>;

/** Never replace a newer record of the same chatbot by an older one (RouteRecord.version). */
function isOlder(entry: RouteEntry, than: RouteEntry): boolean {
  return entry.found && than.found && entry.chatbotId === than.chatbotId && entry.version < than.version;
}

function originFailure(error: unknown): BotgateError {
  if (error instanceof BotgateError) return error;
  const failure = new BotgateError("BAD_GATEWAY", "route lookup failed: the origin did not answer");
  failure.cause = error;
  return failure;
}

export class TieredRouteResolver {
  readonly #cache: LRUCache<string, CachedRoute, LookupContext>;
  readonly #clock: { now(): number };
  readonly #options: TieredRouteResolverOptions;
  readonly #positiveTtlMs: number;
  readonly #negativeTtlMs: number;
  readonly #staleRetryMs: number;
  readonly #maxStaleMs: number;

  constructor(options: TieredRouteResolverOptions) {
    this.#options = options;
    this.#positiveTtlMs = options.positiveTtlMs ?? 5_000;
    this.#negativeTtlMs = options.negativeTtlMs ?? 2_000;
    this.#staleRetryMs = options.staleRetryMs ?? 1_000;
    this.#maxStaleMs = options.maxStaleMs ?? 5 * 60_000;
    this.#cache = new LRUCache<string, CachedRoute, LookupContext>({
      max: options.maxEntries ?? 10_000,
      ttl: this.#positiveTtlMs,
      // Read the clock on every check: exact with a fake clock, and no timer per lookup.
      ttlResolution: 0,
      ...(options.clock && { perf: options.clock }),
      // invalidate() or eviction during a lookup must not fail its waiters: they still get
      // the answer, it just is not cached.
      ignoreFetchAbort: true,
      fetchMethod: (key, expired, { options: setOptions, context }) =>
        this.#lookup(key, context, expired, setOptions),
    });
    this.#clock = this.#cache.perf;
  }

  async resolve(target: RouteTarget, { caller }: ResolveOptions = {}): Promise<ResolvedRoute> {
    const key = routeKey(target);
    // The usual case, an entry this isolate holds: no fetch machinery. An expired one stays
    // for fetch() below, whose lookup falls back on it when both the store and the origin fail.
    const held = this.#cache.get(key, { noDeleteOnStaleGet: true });
    if (held !== undefined) {
      this.#emit({ key, tier: "l1", outcome: "hit" });
      return { entry: held.entry, source: "l1", stale: held.stale };
    }
    const status: LRUCache.Status<string, CachedRoute, LookupContext> = {};
    const pending = this.#cache.fetch(key, { context: { target, caller }, status });
    // status.fetch is set synchronously; "inflight" (joined another lookup) counts as a miss.
    const hit = status.fetch === "hit";
    this.#emit({ key, tier: "l1", outcome: hit ? "hit" : "miss" });
    const cached = await pending;
    if (cached === undefined) throw new BotgateError("BAD_GATEWAY", "route lookup was abandoned");
    return { entry: cached.entry, source: hit || cached.stale ? "l1" : cached.source, stale: cached.stale };
  }

  /** Drops this isolate's copy; the next resolve() asks L2 (then the origin) again. */
  invalidate(target: RouteTarget): void {
    this.#cache.delete(routeKey(target));
  }

  async #lookup(
    key: string,
    { target, caller }: LookupContext,
    expired: CachedRoute | undefined,
    setOptions: SetOptions,
  ): Promise<CachedRoute> {
    const { store } = this.#options;
    let storeMissed = false;
    if (store !== undefined) {
      try {
        const entry = await store.get(key);
        this.#emit({ key, tier: "l2", outcome: entry === null ? "miss" : "hit" });
        if (entry !== null) return this.#fresh(entry, "l2", expired, setOptions);
        storeMissed = true;
      } catch (error) {
        // Redis down or slow: fall through to the origin.
        this.#emit({ key, tier: "l2", outcome: "error", error });
      }
    }

    // A chatbot this isolate held until its L1 entry expired is known, not a guess: it is
    // never refused (nor would a refusal leave its stale fallback in place).
    if (this.#options.admitOriginLookup !== undefined && expired?.entry.found !== true) {
      try {
        await this.#options.admitOriginLookup(target, typeof caller === "function" ? caller() : caller);
      } catch (error) {
        this.#emit({ key, tier: "origin", outcome: "refused", error });
        throw error;
      }
    }

    let entry: RouteEntry;
    try {
      const loaded = parseRouteEntry(await this.#options.loadFromOrigin(target));
      if (loaded === null)
        throw new BotgateError("BAD_GATEWAY", "the origin answered a malformed route record");
      entry = loaded;
    } catch (error) {
      this.#emit({ key, tier: "origin", outcome: "error", error });
      if (expired !== undefined && this.#clock.now() - expired.fetchedAt <= this.#maxStaleMs) {
        setOptions.ttl = this.#staleRetryMs;
        return { ...expired, stale: true };
      }
      throw originFailure(error);
    }
    this.#emit({ key, tier: "origin", outcome: "hit" });
    if (storeMissed) this.#refill(key, entry);
    return this.#fresh(entry, "origin", expired, setOptions);
  }

  #fresh(
    entry: RouteEntry,
    source: CachedRoute["source"],
    previous: CachedRoute | undefined,
    setOptions: SetOptions,
  ): CachedRoute {
    const kept = previous !== undefined && isOlder(entry, previous.entry) ? previous.entry : entry;
    setOptions.ttl = kept.found ? this.#positiveTtlMs : this.#negativeTtlMs;
    return { entry: kept, source, fetchedAt: this.#clock.now(), stale: false };
  }

  /** The origin refills L2 itself; this only narrows the window. NX: never clobber a write-through. */
  #refill(key: string, entry: RouteEntry): void {
    const { store, waitUntil } = this.#options;
    if (store === undefined || waitUntil === undefined) return;
    const ttlSeconds = entry.found
      ? (this.#options.refillTtlSeconds ?? ROUTE_TTL.refillSeconds)
      : (this.#options.refillNegativeTtlSeconds ?? ROUTE_TTL.negativeSeconds);
    // A failed refill costs nothing but a later L2 miss.
    waitUntil(store.setMany([{ key, entry, ttlSeconds, ifAbsent: true }]).catch(() => {}));
  }

  #emit(event: LookupEvent): void {
    this.#options.onLookup?.(event);
  }
}
