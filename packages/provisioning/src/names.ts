// Names compare case-insensitively and without the trailing dot, everywhere.
import { BotgateError } from "@botgate/core";

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.+$/, "");
}

/** True when `name` is `zone` or below it. */
export function isInZone(name: string, zone: string): boolean {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  return n === z || n.endsWith(`.${z}`);
}

/** Splits a TXT value into the 255-character strings DNS (and Route53) carry. */
export function splitTxt(value: string): string[] {
  if (value.length <= 255) return [value];
  const chunks: string[] = [];
  for (let offset = 0; offset < value.length; offset += 255) chunks.push(value.slice(offset, offset + 255));
  return chunks;
}

/** ACM's IdempotencyToken: 1 to 32 word characters; the local CA holds callers to the same rule. */
export function assertIdempotencyToken(token: string): void {
  if (!/^\w{1,32}$/.test(token)) {
    throw new BotgateError(
      "BAD_REQUEST",
      `an idempotency token is 1 to 32 letters, digits or _ (got "${token}")`,
    );
  }
}
