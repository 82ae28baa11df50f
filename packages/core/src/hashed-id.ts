// Public chatbot ids in URLs: "r" + base64url(String(id + 1000000)) + "x", no padding.
// The parser accepts exactly what hashedId() produces and nothing else.

import { BotgateError } from "./errors.ts";

const ID_OFFSET = 1_000_000;
export const MAX_CHATBOT_ID = Number.MAX_SAFE_INTEGER - ID_OFFSET;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

export function isChatbotId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 1 && value <= MAX_CHATBOT_ID;
}

/** @throws BotgateError("BAD_REQUEST") unless 1 ≤ id ≤ MAX_CHATBOT_ID. */
export function hashedId(id: number): string {
  if (!isChatbotId(id)) throw new BotgateError("BAD_REQUEST", `Invalid chatbot id: ${id}.`);
  return `r${base64UrlEncodeAscii(String(id + ID_OFFSET))}x`;
}

/** The id behind a hashed id, or null if `text` is not exactly what hashedId() would produce. */
export function parseHashedId(text: string): number | null {
  if (typeof text !== "string" || text.length < 3 || text.length > 32) return null;
  if (!text.startsWith("r") || !text.endsWith("x")) return null;
  const digits = base64UrlDecodeAscii(text.slice(1, -1));
  if (digits === null || !/^[1-9]\d{0,15}$/.test(digits)) return null;
  const id = Number(digits) - ID_OFFSET;
  return isChatbotId(id) && hashedId(id) === text ? id : null;
}

/** A `/api/v1/chatbots/<segment>/` id: a plain positive decimal (no leading zeros) or a hashed id. */
export function parseChatbotIdSegment(segment: string): number | null {
  if (typeof segment !== "string") return null;
  if (/^[1-9]\d{0,15}$/.test(segment)) {
    const id = Number(segment);
    return isChatbotId(id) ? id : null;
  }
  return parseHashedId(segment);
}

function base64UrlEncodeAscii(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i += 3) {
    const a = text.charCodeAt(i);
    const b = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
    const c = i + 2 < text.length ? text.charCodeAt(i + 2) : 0;
    const chunk = (a << 16) | (b << 8) | c;
    const chars = Math.min(4, Math.ceil(((text.length - i) * 8) / 6));
    for (let k = 0; k < chars; k++) out += ALPHABET[(chunk >> (18 - 6 * k)) & 63];
  }
  return out;
}

/** Decodes to a Latin-1 string; canonicality is checked by the caller re-encoding. */
function base64UrlDecodeAscii(text: string): string | null {
  if (text.length % 4 === 1) return null;
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) return null;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += String.fromCharCode((buffer >> bits) & 0xff);
    }
  }
  return out;
}
