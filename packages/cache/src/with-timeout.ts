import { BotgateError } from "@botgate/core";

/**
 * Bounds a store call and turns any failure into BotgateError("UNAVAILABLE") so callers fall
 * back. A race rather than the client's `signal`: @upstash/redis answers an aborted request
 * with the abort reason as a successful result instead of rejecting.
 */
export async function withTimeout<T>(
  operation: string,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new BotgateError("UNAVAILABLE", `route store ${operation} timed out after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([run(), timeout]);
  } catch (error) {
    if (error instanceof BotgateError) throw error;
    const unavailable = new BotgateError("UNAVAILABLE", `route store ${operation} failed`);
    unavailable.cause = error;
    throw unavailable;
  } finally {
    // Guarded: workers-types declare clearTimeout(number | null), which refuses undefined.
    if (timer !== undefined) clearTimeout(timer);
  }
}
