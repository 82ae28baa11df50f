// The CLI's side of the operator endpoint: one POST per command to the API that holds the
// embedded database. Results travel as superjson, so they print as they would locally.
import { BotgateError, isErrorCode } from "@botgate/core";
import superjson from "superjson";
import type { OperatorEndpoint } from "./endpoint-file.ts";

export const OPERATOR_PATH = "/operator/commands";

export interface OperatorRequest {
  command: string;
  args: string[];
}

export async function runOnOperatorEndpoint(
  api: OperatorEndpoint,
  command: string,
  args: string[],
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(new URL(OPERATOR_PATH, api.url), {
      method: "POST",
      headers: { authorization: `Bearer ${api.token}`, "content-type": "application/json" },
      body: JSON.stringify({ command, args } satisfies OperatorRequest),
    });
  } catch (error) {
    throw new BotgateError(
      "UNAVAILABLE",
      `the API (process ${api.pid}) holds the embedded database but does not answer at ${api.url}: ` +
        `${(error as Error).message}; stop it, or set DATABASE_URL`,
    );
  }
  const text = await response.text();
  if (response.ok) return (superjson.parse(text) as { result: unknown }).result;
  const body = (() => {
    try {
      return JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    } catch {
      return {};
    }
  })();
  const code = isErrorCode(body.error?.code) ? body.error.code : "INTERNAL";
  const message = typeof body.error?.message === "string" ? body.error.message : `HTTP ${response.status}`;
  throw new BotgateError(code, message);
}
