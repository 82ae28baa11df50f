// Everything the edge asks of the origin, always signed with the shared secret: route
// lookups (GET /internal/resolve) and forwarded chatbot requests.
import { BotgateError, parseRouteEntry, type RouteEntry, type RouteTarget } from "@botgate/core";
import { type ForwardedContext, signForwardedRequest } from "@botgate/forwarding";
import type { EdgeConfig } from "./env.ts";

export interface OriginRequest {
  method: string;
  /** Origin pathname plus search. */
  path: string;
  headers: Headers;
  /** The whole body, signed byte for byte (null for none). */
  body: Uint8Array | null;
  context: ForwardedContext;
}

/** `target` query value of /internal/resolve: `host:<host>` or `id:<id>`. */
export function resolveTargetParam(target: RouteTarget): string {
  return target.kind === "host" ? `host:${target.host}` : `id:${target.id}`;
}

export class OriginClient {
  readonly #config: EdgeConfig;

  constructor(config: EdgeConfig) {
    this.#config = config;
  }

  /** The origin's answer for a route target: a record, or NEGATIVE_ROUTE when unknown. */
  async resolve(target: RouteTarget): Promise<RouteEntry> {
    const url = new URL(`${this.#config.originUrl}/internal/resolve`);
    url.searchParams.set("target", resolveTargetParam(target));
    const path = url.pathname + url.search;
    const headers = await signForwardedRequest(
      this.#config.secret,
      { method: "GET", path, headers: new Headers(), body: new Uint8Array() },
      {},
    );
    const response = await this.#fetch(url, { headers }, this.#config.resolveTimeoutMs);
    if (!response.ok) {
      await response.body?.cancel();
      throw new BotgateError("BAD_GATEWAY", `route lookup failed: the origin answered ${response.status}`);
    }
    const entry = parseRouteEntry(await response.json().catch(() => null));
    if (entry === null) throw new BotgateError("BAD_GATEWAY", "route lookup failed: malformed origin answer");
    return entry;
  }

  /** The origin's response, body untouched (streams pass through unbuffered). */
  async forward(request: OriginRequest): Promise<Response> {
    const url = new URL(`${this.#config.originUrl}${request.path}`);
    const signed = await signForwardedRequest(
      this.#config.secret,
      {
        method: request.method,
        path: url.pathname + url.search,
        headers: request.headers,
        body: request.body ?? new Uint8Array(),
      },
      request.context,
    );
    const headers = new Headers(request.headers);
    for (const [name, value] of Object.entries(signed)) headers.set(name, value);
    return this.#fetch(
      url,
      { method: request.method, headers, body: request.body, redirect: "manual" },
      this.#config.originTimeoutMs,
    );
  }

  /** fetch() with a deadline for the response headers only, so long streams are not cut. */
  async #fetch(url: URL, init: RequestInit, timeoutMs: number): Promise<Response> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: controller.signal });
    } catch (error) {
      const failure = controller.signal.aborted
        ? new BotgateError("GATEWAY_TIMEOUT", `the origin did not answer within ${timeoutMs} ms`)
        : new BotgateError("BAD_GATEWAY", "the origin is unreachable");
      failure.cause = error;
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }
}
