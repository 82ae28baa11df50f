// Who a chat origin request is for and from: the chatbot, the mode it arrived in, the
// credential that admitted it, and the request's id, client IP and public URL.
import { BotgateError, type ChatbotMode, customHost, isLive, parseChatbotIdSegment } from "@botgate/core";
import { claimsForwarding } from "@botgate/forwarding";
import type { Context } from "hono";
import type { Runtime } from "../runtime.ts";
import { type AccessGrant, authorizeChat, lookUpCredential } from "./access.ts";
import { forwardedMode, identifyCaller } from "./caller.ts";
import { chatbotFacts, loadChatbot, MAX_STORED_ID, type OriginChatbot, unknownChatbot } from "./chatbot.ts";

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

export async function admit(c: Context, runtime: Runtime): Promise<AdmittedRequest> {
  const idSegment = c.req.param("id") ?? "";
  const headers = c.req.raw.headers;
  // The chatbot loads while the caller is checked (one database round trip less per call);
  // a refused caller's refusal still comes first.
  const loading = loadChatbot(runtime.db, idSegment);
  loading.catch(() => {});
  // A direct call is always sandbox mode, which always needs a credential: its reads start
  // now too, and are only believed in authorizeChat's order, after the chatbot's own checks.
  // (A valid admin token's lastUsedAt hint may then be written for an id that turns out
  // unknown, as any admin API call with the token would write it.)
  const id = parseChatbotIdSegment(idSegment);
  const early =
    claimsForwarding(headers) || id === null || id > MAX_STORED_ID
      ? undefined
      : lookUpCredential(runtime.db, id, headers, { adminTokens: true });
  const caller = await identifyCaller(c, runtime);
  const chatbot = await loading;
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
  const grant = await authorizeChat(
    runtime.db,
    {
      id: chatbot.id,
      accountId: chatbot.accountId,
      userProfileId: chatbot.userProfileId,
      activeApiKeys: chatbot._count.apiKeys,
    },
    mode,
    headers,
    early,
  );
  // The public address only from signed fields: X-Forwarded-* headers are never read.
  const forwardedHost = caller.kind === "edge" ? caller.context.forwardedHost : "";
  return {
    chatbot,
    mode,
    grant,
    // identifyCaller made the edge's signed request id this request's id.
    requestId: c.get("requestId"),
    clientIp: caller.kind === "edge" ? caller.context.clientIp || null : caller.clientIp,
    publicUrl:
      caller.kind === "edge" && forwardedHost
        ? `${caller.context.forwardedProto === "http" ? "http" : "https"}://${forwardedHost}/`
        : null,
  };
}
