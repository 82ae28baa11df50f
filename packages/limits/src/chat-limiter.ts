// Chat rate limits (SPEC §6, issue 10 point 7): every chat request (/chat/, /v1/chat/completions)
// is counted, in sliding windows in Redis (@upstash/ratelimit), against up to three budgets: the
// chatbot's as a whole, the client IP's (IPv6 by /64), and the API key's when one is sent.
// It is admitted only while all have room; the client's budgets are asked first, the
// chatbot's only for what they admit, except while this process's last answers say the
// client's budgets have room: then all are asked at once (one Redis round trip, not two).
// Limits are the chatbot's own settings or the platform defaults. Redis failing or slower than
// the timeout means the failure mode decides: open admits, closed refuses (503).
import { BotgateError } from "@botgate/core";
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { LRUCache } from "lru-cache";
import { askShared, BoundedMap, LocalWindows, MAX_TRACKED_CLIENTS, type SharedAnswer } from "./parts.ts";

export interface ChatLimitDefaults {
  requests: number;
  clientRequests: number;
  windowSeconds: number;
}

export type FailureMode = "open" | "closed";

export interface ChatLimiterOptions {
  redis: Redis | null;
  /** Past this, Redis counts as failed for the request and `onFailure` decides. */
  timeoutMs: number;
  onFailure: FailureMode;
  defaults: ChatLimitDefaults;
  waitUntil: (promise: Promise<unknown>) => void;
}

/** A chatbot's own limits; null fields take the defaults. */
export interface ChatbotLimits {
  requests: number | null;
  clientRequests: number | null;
  windowSeconds: number | null;
}

export interface ChatLimitSubject {
  chatbotId: number;
  rateLimit: ChatbotLimits;
  /** clientKeyOf(the client IP). */
  clientKey: string;
  /** The credential the request carries (API key or account token), if any. */
  credential: string | null;
}

/** What the x-ratelimit-*-requests headers say: the tightest of the budgets. */
export interface LimitState {
  limit: number;
  remaining: number;
  /** ms until that budget's window has room again. */
  resetMs: number;
}

/** Bound on the distinct (limit, window) pairs one limiter keeps a Ratelimit for. */
const MAX_LIMITERS = 512;
/** What a refusal for a failed Redis (fail closed) tells the client to wait. */
const FAILURE_RETRY_AFTER_SECONDS = 1;

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

interface Budget {
  key: string;
  limit: number;
}

export class ChatRateLimiter {
  readonly #options: ChatLimiterOptions;
  readonly #limiters = new LRUCache<string, Ratelimit>({ max: MAX_LIMITERS });
  readonly #local = new Map<number, LocalWindows>();
  /**
   * Per client budget key: what Redis last said remains, less the requests sent since. Only
   * a key known to have room is counted alongside the chatbot's budget; its TTL is the window.
   */
  readonly #room = new LRUCache<string, number>({ max: MAX_TRACKED_CLIENTS, ttl: 60_000 });

  constructor(options: ChatLimiterOptions) {
    this.#options = options;
  }

  /**
   * @returns the state for the response headers when admitted.
   * @throws BotgateError RATE_LIMITED (429, with retry-after and the state in details) when a
   *   budget is spent; UNAVAILABLE (503) when Redis failed and the setting is fail-closed.
   */
  async admit(subject: ChatLimitSubject): Promise<LimitState> {
    const { defaults } = this.#options;
    const requests = subject.rateLimit.requests ?? defaults.requests;
    const clientRequests = subject.rateLimit.clientRequests ?? defaults.clientRequests;
    const windowSeconds = subject.rateLimit.windowSeconds ?? defaults.windowSeconds;
    const base = `cb:${subject.chatbotId}`;
    const clientBudgets: Budget[] = [{ key: `${base}:ip:${subject.clientKey}`, limit: clientRequests }];
    // Hashed: the key itself never reaches Redis. Counted besides the IP, never instead of
    // it: on public hosts a request is counted before its key is checked.
    if (subject.credential !== null) {
      clientBudgets.push({
        key: `${base}:key:${await sha256Hex(subject.credential)}`,
        limit: clientRequests,
      });
    }
    const now = Date.now();
    const chatbotBudget: Budget = { key: base, limit: requests };
    let answers: SharedAnswer[];
    if (this.#options.redis !== null && this.#hasRoom(clientBudgets)) {
      // The client had room at its last answer: its budgets and the chatbot's in one round
      // trip. Only a client that other processes pushed over its limit in the meantime spends
      // a chatbot request on a refusal, and its next request goes the sequential way.
      answers = await this.#count([...clientBudgets, chatbotBudget], windowSeconds, now);
    } else {
      // The client's budgets first, the chatbot's only for requests they admit: a client over
      // its own limit must not spend everyone's. With Redis failing at the first step the
      // second is skipped, so a decision takes at most about twice the timeout.
      answers = await this.#count(clientBudgets, windowSeconds, now);
      const clientAdmitted = answers.every((a) => a.kind === "answered" && a.success);
      if (clientAdmitted) answers.push(...(await this.#count([chatbotBudget], windowSeconds, now)));
    }
    this.#learnRoom(clientBudgets, answers, windowSeconds);
    const budgets = [...clientBudgets, chatbotBudget];
    const failed = answers.some((a) => a.kind === "failed");
    const states = answers.flatMap((a, i) =>
      a.kind === "answered"
        ? [
            {
              ok: a.success,
              limit: a.limit || (budgets[i]?.limit ?? 0),
              remaining: a.remaining,
              resetMs: Math.max(0, a.resetAt - now),
            },
          ]
        : [],
    );
    const refused = states.filter((s) => !s.ok);
    if (refused.length > 0) {
      // The budget that stays spent longest decides when trying again makes sense.
      const worst = refused.reduce((a, b) => (b.resetMs > a.resetMs ? b : a));
      throw rateLimited({ limit: worst.limit, remaining: 0, resetMs: worst.resetMs });
    }
    if (failed && this.#options.onFailure === "closed") {
      throw new BotgateError("UNAVAILABLE", "Rate limits cannot be checked right now; try again shortly.", {
        retryAfterSeconds: FAILURE_RETRY_AFTER_SECONDS,
      });
    }
    if (states.length === 0) {
      // Fail open with no answer at all: the client's budget as configured, nothing counted.
      return { limit: clientRequests, remaining: clientRequests, resetMs: windowSeconds * 1000 };
    }
    const tightest = states.reduce((a, b) => (b.remaining < a.remaining ? b : a));
    return { limit: tightest.limit, remaining: Math.max(0, tightest.remaining), resetMs: tightest.resetMs };
  }

  /** Whether every budget had room at its last answer; if so, this request takes one. */
  #hasRoom(budgets: Budget[]): boolean {
    const room = budgets.map((b) => this.#room.get(b.key) ?? 0);
    if (room.some((left) => left < 1)) return false;
    budgets.forEach((b, i) => {
      this.#room.set(b.key, (room[i] ?? 1) - 1, { noUpdateTTL: true });
    });
    return true;
  }

  #learnRoom(budgets: Budget[], answers: SharedAnswer[], windowSeconds: number): void {
    budgets.forEach((b, i) => {
      const answer = answers[i];
      if (answer?.kind === "answered") {
        this.#room.set(b.key, answer.success ? answer.remaining : 0, { ttl: windowSeconds * 1000 });
      } else {
        this.#room.delete(b.key);
      }
    });
  }

  async #count(budgets: Budget[], windowSeconds: number, now: number): Promise<SharedAnswer[]> {
    const { redis, waitUntil } = this.#options;
    if (redis === null) {
      // No Redis configured (a development setup): each process counts on its own.
      const local = this.#localWindows(windowSeconds);
      return budgets.map(({ key, limit }) => {
        const counted = local.count(key, limit, now);
        return {
          kind: "answered",
          success: counted.allowed,
          limit,
          remaining: counted.remaining,
          resetAt: counted.resetAt,
        };
      });
    }
    return Promise.all(
      budgets.map(({ key, limit }) =>
        askShared(this.#limiterFor(redis, limit, windowSeconds), key, waitUntil),
      ),
    );
  }

  #limiterFor(redis: Redis, limit: number, windowSeconds: number): Ratelimit {
    const id = `${limit}/${windowSeconds}`;
    let limiter = this.#limiters.get(id);
    if (limiter === undefined) {
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(limit, `${windowSeconds} s`),
        prefix: "botgate:chat",
        // The library answers "allowed" with reason "timeout" past this; admit() treats that
        // as a failure and follows onFailure.
        timeout: this.#options.timeoutMs,
        // Budgets Redis already refused are refused again here, without a round trip, until
        // their window resets: a flood against a spent budget costs Redis nothing.
        ephemeralCache: new BoundedMap<string, number>(),
        // Analytics would cost a Redis write per request (and commands the dev endpoint does
        // not allow); the `pending` promise still goes to waitUntil (see askShared).
        analytics: false,
      });
      this.#limiters.set(id, limiter);
    }
    return limiter;
  }

  #localWindows(windowSeconds: number): LocalWindows {
    let local = this.#local.get(windowSeconds);
    if (local === undefined) {
      local = new LocalWindows(windowSeconds * 1000);
      this.#local.set(windowSeconds, local);
    }
    return local;
  }
}

function rateLimited(state: LimitState): BotgateError {
  return new BotgateError("RATE_LIMITED", "Too many requests to this chatbot; slow down.", {
    retryAfterSeconds: Math.max(1, Math.ceil(state.resetMs / 1000)),
    retryAfterMs: Math.max(1, Math.ceil(state.resetMs)),
    limit: state.limit,
  });
}

/** OpenAI's duration spelling for x-ratelimit-reset-requests: "20ms", "1s", "6m0s", "1m30.5s". */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total < 1000) return `${total}ms`;
  const minutes = Math.floor(total / 60_000);
  const seconds = Number(((total % 60_000) / 1000).toFixed(3));
  return minutes > 0 ? `${minutes}m${seconds}s` : `${seconds}s`;
}

/** The headers of every chat response (and of its 429). */
export function rateLimitHeaders(state: LimitState): Record<string, string> {
  return {
    "x-ratelimit-limit-requests": String(state.limit),
    "x-ratelimit-remaining-requests": String(state.remaining),
    "x-ratelimit-reset-requests": formatResetDuration(state.resetMs),
  };
}
