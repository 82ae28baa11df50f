// AWS errors, by name (the SDK's exception classes set `name`; so do the mocks in tests).
import { BotgateError } from "@botgate/core";

export function awsErrorName(error: unknown): string {
  return error instanceof Error ? error.name : "";
}

export function isAwsError(error: unknown, ...names: string[]): boolean {
  return names.includes(awsErrorName(error));
}

/** An AWS failure the SDK's own retries did not get past, typed for the jobs (they retry later). */
export function awsFailure(operation: string, error: unknown): BotgateError {
  const name = awsErrorName(error) || "Error";
  const message = error instanceof Error ? error.message : String(error);
  const denied =
    name === "AccessDeniedException" || name === "AccessDenied" || name === "NotAuthorizedException";
  return new BotgateError(
    denied ? "FORBIDDEN" : "BAD_GATEWAY",
    denied
      ? `AWS refused ${operation} (${name}): check the IAM permissions of the platform's credentials. ${message}`
      : `AWS ${operation} failed (${name}): ${message}`,
    { provider: "aws", operation, awsError: name },
  );
}
