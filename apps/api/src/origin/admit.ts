// Who a chat origin request is for and from: the chatbot, the mode it arrived in, the
// credential that admitted it, and the request's id, client IP and public URL.
import { BotgateError, type ChatbotMode, customHost, isLive } from "@botgate/core";
import { claimsForwarding } from "@botgate/forwarding";
import { clientKeyOf } from "@botgate/limits";
import type { Context } from "hono";
import type { Runtime } from "../runtime.ts";
import { type AccessGrant, authorizeChat, lookUpCredential, presentedCredential } from "./access.ts";
import { forwardedMode, identifyCaller } from "./caller.ts";
import { countChat } from "./chat-limits.ts";
import { chatServicesOf } from "./chat-services.ts";
import { chatbotFacts, loadChatbot, type OriginChatbot, storedIdOf, unknownChatbot } from "./chatbot.ts";

/** A request the origin agreed to serve, and everything known about it. */
export interface AdmittedRequest {
  chatbot: OriginChatbot;
  mode: Exclude<ChatbotMode, "unknown">;
  grant: AccessGrant;
  requestId: string;
  clientIp: string | null;
  /** The public address the request came to (edge forwards only). */
  publicUrl: string | null;
}

export interface AdmitOptions {
  /** A chat request (chat/, v1/chat/completions): counted against the chat rate limits. */
  count?: boolean;
}

export async function admit(
  c: Context,
  runtime: Runtime,
  { count = false }: AdmitOptions = {},
): Promise<AdmittedRequest> {
  const id = storedIdOf(c.req.param("id") ?? "");
  const headers = c.req.raw.headers;
  const services = chatServicesOf(runtime);
  const stores = { db: runtime.db, chatbots: services.chatbots };
  // The chatbot's admission version is read while the caller is checked (one database round
  // trip less per call); a refused caller's refusal still comes first.
  const version = id === null ? null : stores.chatbots.version(id);
  version?.catch(() => {});
  // A direct call is always sandbox mode, which always needs a credential: its reads start
  // now too, and are only believed in authorizeChat's order, after the chatbot's own checks.
  // (A valid admin token's lastUsedAt hint may then be written for an id that turns out
  // unknown, as any admin API call with the token would write it.)
  const early =
    claimsForwarding(headers) || id === null || version === null
      ? undefined
      : lookUpCredential(stores, id, version, headers, { adminTokens: true });
  const caller = await identifyCaller(c, runtime);
  const loaded = await loadChatbot(stores.chatbots, id, version);
  const { chatbot } = loaded;
  let mode: AdmittedRequest["mode"] = "sandbox";
  if (caller.kind === "edge") {
    mode = forwardedMode(caller.context);
    // The edge resolved this chatbot under this account: if the database disagrees, the
    // route it used is stale, and nothing is answered under the wrong chatbot or account.
    if (
      caller.context.chatbotId !== String(chatbot.id) ||
      caller.context.accountNumber !== chatbot.account.accountNumber
    ) {
      throw unknownChatbot();
    }
  }
  const facts = chatbotFacts(chatbot);
  // Public modes re-check what the edge's (possibly seconds old) route record said.
  if (mode === "custom" && customHost(facts) === null) throw unknownChatbot();
  if (mode !== "sandbox" && !isLive(facts)) {
    throw new BotgateError("NOT_READY", "This chatbot is not ready to serve on this host yet.", {
      deployed: facts.deployed,
      dnsVerificationStatus: facts.dnsVerificationStatus,
      tlsCertificateIssuanceStatus: facts.tlsCertificateIssuanceStatus,
    });
  }
  const clientIp = caller.kind === "edge" ? caller.context.clientIp || null : caller.clientIp;
  const counting = () =>
    countChat(c, services.limiter, {
      chatbotId: chatbot.id,
      rateLimit: {
        requests: chatbot.rateLimitRequests,
        clientRequests: chatbot.rateLimitClientRequests,
        windowSeconds: chatbot.rateLimitWindowSeconds,
      },
      clientKey: clientKeyOf(clientIp ?? ""),
      credential: presentedCredential(headers),
    });
  // Public hosts count a request before its key is checked, so guessing keys is bounded too
  // (a request without the key a chatbot requires is refused first, uncounted). The sandbox
  // counts only what it admits: an outsider must neither spend a chatbot's budget nor learn
  // from a 429 that an id exists.
  const countFirst =
    count && mode !== "sandbox" && (chatbot._count.apiKeys === 0 || presentedCredential(headers) !== null);
  if (countFirst) await counting();
  const grant = await authorizeChat(
    stores,
    {
      id: chatbot.id,
      accountId: chatbot.accountId,
      userProfileId: chatbot.userProfileId,
      activeApiKeys: chatbot._count.apiKeys,
      version: loaded.version,
    },
    mode,
    headers,
    early,
  );
  if (count && !countFirst) await counting();
  // The public address only from signed fields: X-Forwarded-* headers are never read.
  const forwardedHost = caller.kind === "edge" ? caller.context.forwardedHost : "";
  return {
    chatbot,
    mode,
    grant,
    // identifyCaller made the edge's signed request id this request's id.
    requestId: c.get("requestId"),
    clientIp,
    publicUrl:
      caller.kind === "edge" && forwardedHost
        ? `${caller.context.forwardedProto === "http" ? "http" : "https"}://${forwardedHost}/`
        : null,
  };
}
