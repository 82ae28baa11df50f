// Which endpoint URLs a webhook may be sent to. An endpoint is chosen by a customer, so it
// must never reach the platform's own internals: https only (outside development), no
// credentials in the URL, no loopback/private/link-local/reserved addresses. The address
// policy itself is @botgate/egress's, shared with LLM provider base URLs.
import { egressUrlProblem } from "@botgate/egress";

export { isPrivateAddress, privateDestinationReason } from "@botgate/egress";

export const MAX_URL_LENGTH = 2_048;

export interface DestinationPolicy {
  /**
   * A development setup: http and loopback/private addresses are allowed (a local receiver).
   * Everywhere else both are refused.
   */
  development: boolean;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** Checks an endpoint URL as written (no DNS): scheme, credentials, literal addresses, length. */
export function checkEndpointUrl(input: string, policy: DestinationPolicy): UrlCheck {
  if (input.length > MAX_URL_LENGTH)
    return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return { ok: false, reason: "must be an absolute URL, e.g. https://example.com/webhooks" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must use https" };
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "must not contain credentials; verify the signature instead" };
  }
  if (url.hash !== "") return { ok: false, reason: "must not contain a fragment (#...)" };
  const problem = egressUrlProblem(url, policy);
  return problem === null ? { ok: true, url } : { ok: false, reason: problem };
}
