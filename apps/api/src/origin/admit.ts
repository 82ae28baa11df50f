// Who a chat origin request is for and from: the chatbot, the mode it arrived in, the
// credential that admitted it, and the request's id, client IP and public URL.
import { BotgateError, type ChatbotMode, customHost, isLive } from "@botgate/core";
import type { Context } from "hono";
import type { Runtime } from "../runtime.ts";
import { type AccessGrant, authorizeChat } from "./access.ts";
import { forwardedMode, identifyCaller } from "./caller.ts";
import { chatbotFacts, loadChatbot, type OriginChatbot, unknownChatbot } from "./chatbot.ts";

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
  // The chatbot loads while the caller is checked (one database round trip less per call);
  // a refused caller's refusal still comes first.
  const loading = loadChatbot(runtime.db, c.req.param("id") ?? "");
  loading.catch(() => {});
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
    { id: chatbot.id, accountId: chatbot.accountId, activeApiKeys: chatbot._count.apiKeys },
    mode,
    c.req.raw.headers,
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
