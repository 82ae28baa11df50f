// The edge's share of access control: turn away requests that carry no credential where one
// is required, before anything is forwarded. Whether a credential is valid (one of the
// chatbot's own API keys, or an admin token of its account) only the origin can tell, so
// the edge never answers anything protected on its own.
import { BotgateError } from "@botgate/core";
import type { ResolvedChatbot } from "./resolve.ts";

export type RequiredCredential = "account_token_or_api_key" | "api_key";

/**
 * The sandbox and by-id paths (mode sandbox) need an account token or one of the chatbot's
 * API keys; public hosts need a key once the chatbot has any (RouteRecord.apiKeyRequired).
 */
export function credentialRequiredBy(
  chatbot: Pick<ResolvedChatbot, "mode" | "record">,
): RequiredCredential | null {
  if (chatbot.mode === "sandbox") return "account_token_or_api_key";
  return chatbot.record.apiKeyRequired ? "api_key" : null;
}

export function requireCredential(request: Request, required: RequiredCredential | null): void {
  if (required === null) return;
  const bearer = /^Bearer\s+\S/i.test(request.headers.get("authorization") ?? "");
  const apiKey = (request.headers.get("x-api-key") ?? "").trim() !== "";
  if (!bearer && !apiKey) {
    throw new BotgateError(
      "UNAUTHORIZED",
      "This chatbot requires credentials (Authorization: Bearer or X-API-Key).",
      { required },
    );
  }
}
