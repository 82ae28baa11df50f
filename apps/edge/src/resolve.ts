// Request → chatbot, as SPEC §5: parse and classify the host and path with @botgate/core,
// pick the endpoint, look the route up through the tiers, and check that the record really
// answers at this address (modeFor) and is ready. Every refusal is a BotgateError.
import type { ResolvedRoute, TieredRouteResolver } from "@botgate/cache";
import {
  BotgateError,
  type ChatbotMode,
  classifyRequest,
  modeFor,
  type PlatformConfig,
  parseHost,
  type RequestClassification,
  type RouteRecord,
  routeTargetFor,
} from "@botgate/core";
import { LRUCache } from "lru-cache";

export type Endpoint = "page" | "asset" | "widget" | "config" | "chat" | "completions" | "models";

export const ENDPOINT_METHODS: Record<Endpoint, readonly string[]> = {
  page: ["GET", "HEAD"],
  asset: ["GET", "HEAD"],
  widget: ["GET", "HEAD"],
  config: ["GET", "POST"],
  chat: ["POST"],
  completions: ["POST"],
  models: ["GET"],
};

/** Paths below a chatbot's root (its host, or its sandbox path), trailing slash optional. */
const CHATBOT_PATHS: Record<string, Endpoint> = {
  "": "page",
  "/widget.js": "widget",
  "/config": "config",
  "/chat": "chat",
  "/v1/chat/completions": "completions",
  "/v1/models": "models",
};

/** The chat page's own files, below any chatbot root: `<root>/_botgate/<file>`. */
export const ASSET_PREFIX = "/_botgate/";

type ChatbotClassification = Extract<
  RequestClassification,
  { kind: "sandbox" | "api" | "default" | "custom" }
>;

export interface ChatbotRequest {
  classification: ChatbotClassification;
  endpoint: Endpoint;
  /** The request URL's path, as `new URL(request.url).pathname`. */
  pathname: string;
}

export interface ResolvedChatbot {
  record: RouteRecord;
  mode: Exclude<ChatbotMode, "unknown">;
  /** The tier that answered, for Server-Timing. */
  source: ResolvedRoute["source"];
  /** The origin failed and an expired L1 entry was used. */
  stale: boolean;
}

const unknownAddress = () => new BotgateError("NOT_FOUND", "No chatbot answers at this address.");

/** Longer host + path pairs are classified afresh each time rather than kept. */
const MAX_REMEMBERED_ADDRESS = 512;

/**
 * classifyRequest (pure), remembered per isolate: the same hosts and paths come again and
 * again, and parsing a host properly (Unicode folding, IDNA, label rules) costs more than
 * everything else an L1 hit does. Bounded in entries and in the length of what it keeps.
 */
export class RequestClassifier {
  readonly #platform: PlatformConfig;
  readonly #remembered = new LRUCache<string, RequestClassification>({ max: 10_000 });

  constructor(platform: PlatformConfig) {
    this.#platform = platform;
  }

  classify(host: string, pathname: string): RequestClassification {
    const key = `${host}\n${pathname}`;
    let classification = this.#remembered.get(key);
    if (classification === undefined) {
      classification = classifyRequest(host, pathname, this.#platform);
      if (key.length <= MAX_REMEMBERED_ADDRESS) this.#remembered.set(key, classification);
    }
    return classification;
  }
}

/**
 * `new URL(url)`'s host and pathname, read off the string. A Request's url is already a
 * serialized http(s) URL, `scheme://host[:port]/path[?query]` without credentials or
 * fragment, so both are slices of it; parsing it again would cost an L1 hit more than the
 * classification it feeds. Anything else (userinfo, which a Request refuses anyway) is parsed.
 */
export function hostAndPathOf(url: string): { host: string; pathname: string } {
  const hostStart = url.indexOf("://") + 3;
  const pathStart = url.indexOf("/", hostStart);
  const host = url.slice(hostStart, pathStart);
  if (hostStart === 2 || pathStart === -1 || host.includes("@")) {
    const parsed = new URL(url);
    return { host: parsed.host, pathname: parsed.pathname };
  }
  const queryStart = url.indexOf("?", pathStart);
  return { host, pathname: url.slice(pathStart, queryStart === -1 ? undefined : queryStart) };
}

/**
 * The host comes from the request URL: workerd builds it from the Host header the client
 * sent (an absolute-form request target does not change it), and nothing else, such as
 * X-Forwarded-Host, is ever read. A Host header that disagrees with the URL is refused
 * rather than guessed at.
 */
export function classifyChatbotRequest(request: Request, classifier: RequestClassifier): ChatbotRequest {
  const { host, pathname } = hostAndPathOf(request.url);
  const hostHeader = request.headers.get("host");
  // The usual case (workerd builds the URL from the header) costs one comparison.
  if (hostHeader !== null && hostHeader.toLowerCase() !== host) {
    const fromHeader = parseHost(hostHeader);
    const fromUrl = parseHost(host);
    if (fromHeader.ok && fromUrl.ok && fromHeader.host !== fromUrl.host) {
      throw new BotgateError("INVALID_HOST", "The Host header does not match the request target.");
    }
  }
  const classification = classifier.classify(host, pathname);
  switch (classification.kind) {
    case "invalid":
      throw new BotgateError(classification.errorCode, classification.error.message, {
        reason: classification.error.code,
      });
    case "platform":
      throw unknownAddress();
    default: {
      const endpoint = endpointOf(classification);
      if (endpoint === null) throw new BotgateError("NOT_FOUND", "This chatbot has no such endpoint.");
      if (!ENDPOINT_METHODS[endpoint].includes(request.method)) {
        throw new BotgateError("METHOD_NOT_ALLOWED", `${request.method} is not allowed here.`, {
          allowed: ENDPOINT_METHODS[endpoint],
        });
      }
      return { classification, endpoint, pathname };
    }
  }
}

function endpointOf(classification: ChatbotClassification): Endpoint | null {
  // /api/v1/chatbots/<id>/(chat|config)/ and nothing below it; /api/v1/chatbots/<id>/v1/... as on a host.
  if (classification.kind === "api") {
    if (classification.action === "v1")
      return CHATBOT_PATHS[`/v1${classification.rest}`.replace(/\/$/, "")] ?? null;
    return classification.rest === "/" ? classification.action : null;
  }
  if (classification.rest.startsWith(ASSET_PREFIX)) return "asset";
  return CHATBOT_PATHS[classification.rest.replace(/\/$/, "")] ?? null;
}

/** By-id addresses (sandbox paths, /api/v1/chatbots/<id>/): they name a chatbot by its id alone. */
export function isByIdAddress(classification: ChatbotClassification): boolean {
  return classification.kind === "sandbox" || classification.kind === "api";
}

/** `caller`: the client an origin lookup is charged to (see miss-limiter.ts), worked out only then. */
export async function resolveChatbot(
  resolver: TieredRouteResolver,
  classification: ChatbotClassification,
  caller: () => string,
): Promise<ResolvedChatbot> {
  const target = routeTargetFor(classification);
  if (target === null) throw unknownAddress();
  const { entry, source, stale } = await resolver.resolve(target, { caller });
  if (!entry.found) throw unknownAddress();
  // A record found under this key must also name this address as its own: its default host
  // under its own account number, its verified custom host, or its id. Anything else is a
  // stale or forged entry and answers exactly like an unknown host.
  const mode = modeFor(classification, entry);
  if (mode === "unknown") throw unknownAddress();
  if (mode !== "sandbox" && !entry.ready) {
    throw new BotgateError("NOT_READY", "This chatbot is not ready to serve on this host yet.", {
      deployed: entry.deployed,
      dnsVerificationStatus: entry.dnsVerificationStatus,
      tlsCertificateIssuanceStatus: entry.tlsCertificateIssuanceStatus,
    });
  }
  return { record: entry, mode, source, stale };
}
