// Forwarding a chatbot request to the origin: clean headers in, the body read whole (it is
// signed byte for byte), the signed context added, the origin's response streamed back as
// is (minus hop-by-hop headers).
import { BotgateError } from "@botgate/core";
import { FORWARDED_HEADER_PREFIX } from "@botgate/forwarding";
import { readAtMost } from "./bounded-body.ts";
import type { OriginClient } from "./origin.ts";
import type { Endpoint, ResolvedChatbot } from "./resolve.ts";

/** RFC 9110 §7.6.1 connection-specific headers, plus the legacy ones proxies still meet. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Headers a client could use to impersonate the edge or another client. The origin gets the
 * client's IP, the public host and scheme and the request id only through the signed
 * X-Botgate-* headers. Content-Length goes too: fetch sets it for the bytes actually sent.
 */
function isClientSuppliedRouting(name: string): boolean {
  return (
    name.startsWith(FORWARDED_HEADER_PREFIX) ||
    name.startsWith("x-forwarded-") ||
    name.startsWith("cf-") ||
    name === "forwarded" ||
    name === "x-real-ip" ||
    name === "x-client-ip" ||
    name === "true-client-ip" ||
    name === "x-request-id" ||
    name === "content-length" ||
    name === "host"
  );
}

function withoutHopByHop(source: Headers, drop: (name: string) => boolean = () => false): Headers {
  const listed = new Set(
    (source.get("connection") ?? "")
      .split(",")
      .map((token) => token.trim().toLowerCase())
      .filter(Boolean),
  );
  const headers = new Headers();
  for (const [name, value] of source) {
    if (!HOP_BY_HOP.has(name) && !listed.has(name) && !drop(name)) headers.append(name, value);
  }
  return headers;
}

/** CF-Connecting-IP is set by Cloudflare (a client's own copy is overwritten); anything odd is dropped. */
export function clientIpOf(request: Request): string {
  const ip = request.headers.get("cf-connecting-ip")?.trim() ?? "";
  return /^[0-9a-fA-F:.]{2,45}$/.test(ip) ? ip : "";
}

/** Larger bodies are refused here rather than sent to the origin (which enforces it too). */
const MAX_BODY_BYTES = 1024 * 1024;

const tooLarge = () => new BotgateError("PAYLOAD_TOO_LARGE", "The request body is too large.");

/**
 * The origin's HTTP server reads at most 16 KiB of request headers and answers a bare 431 past
 * it: the edge refuses earlier, in the platform's error shape, with room for the signature.
 */
const MAX_FORWARDED_HEADER_BYTES = 12 * 1024;

function checkedHeaderSize(headers: Headers): Headers {
  let size = 0;
  // Name, ": ", value, CRLF; values are byte strings, one byte per character.
  for (const [name, value] of headers) size += name.length + value.length + 4;
  if (size > MAX_FORWARDED_HEADER_BYTES) {
    throw new BotgateError(
      "HEADERS_TOO_LARGE",
      `The request headers are too large (at most ${MAX_FORWARDED_HEADER_BYTES / 1024} KiB).`,
    );
  }
  return headers;
}

/** The whole body, at most MAX_BODY_BYTES whatever Content-Length claims (null for none). */
async function readBody(request: Request): Promise<Uint8Array<ArrayBuffer> | null> {
  if (request.body === null) return null;
  const bytes = await readAtMost(request, MAX_BODY_BYTES);
  if (bytes === "too_large") throw tooLarge();
  return bytes;
}

const ORIGIN_ACTIONS: Record<Exclude<Endpoint, "page" | "asset" | "widget">, string> = {
  config: "config/",
  chat: "chat/",
  completions: "v1/chat/completions",
  models: "v1/models",
};

export async function forwardToOrigin(
  origin: OriginClient,
  request: Request,
  chatbot: ResolvedChatbot,
  endpoint: Exclude<Endpoint, "page" | "asset" | "widget">,
  requestId: string,
): Promise<Response> {
  const headers = checkedHeaderSize(withoutHopByHop(request.headers, isClientSuppliedRouting));
  const body = await readBody(request);
  const url = new URL(request.url);
  const response = await origin.forward({
    method: request.method,
    path: `/api/v1/chatbots/${chatbot.record.hashedId}/${ORIGIN_ACTIONS[endpoint]}${url.search}`,
    headers,
    body,
    context: {
      chatbotId: String(chatbot.record.chatbotId),
      mode: chatbot.mode,
      accountNumber: chatbot.record.accountNumber,
      requestId,
      clientIp: clientIpOf(request),
      // Signed, so the origin can record the public URL a chat came from.
      forwardedHost: url.host,
      forwardedProto: url.protocol.replace(":", ""),
    },
  });
  // Same body stream: an SSE answer reaches the client chunk by chunk, never buffered here.
  return new Response(response.body, {
    status: response.status,
    statusText: response.statusText,
    headers: withoutHopByHop(response.headers),
  });
}

/**
 * What /config/ answers while the origin is unreachable but the route is known: the routing
 * facts the edge holds, flagged `stale`, in the shape of the origin's ChatConfig envelope so
 * the chat page can still say what is going on. Nothing session-specific is invented.
 */
export function staleConfig(chatbot: ResolvedChatbot, failure: BotgateError) {
  const { record, mode } = chatbot;
  return {
    data: {
      session_key: null,
      sandbox_mode: mode === "sandbox",
      debug_mode: false,
      chatbot: {
        id: record.chatbotId,
        hashed_id: record.hashedId,
        account_number: record.accountNumber,
        default_host: record.defaultHost,
        custom_host: record.customHost,
        deployed: record.deployed,
        ready: record.ready,
        dns_verification_status: record.dnsVerificationStatus,
        tls_certificate_issuance_status: record.tlsCertificateIssuanceStatus,
        api_key_required: record.apiKeyRequired,
        mode,
      },
      history: { chat: null, chat_history: [], chatbot_request_history: [], next_cursor: null },
      meta_data: { stale: true, reason: failure.code, version: record.version },
    },
    api: "botgate/v1",
    thing: "ChatConfig",
    metadata: { command: "config" },
    stale: true,
  };
}
