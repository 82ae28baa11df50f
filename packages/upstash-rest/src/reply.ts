// Turns ioredis buffer replies into Upstash's JSON. With `Upstash-Encoding: base64` (the
// official client's default) every string is base64 of the raw bytes, recursively inside
// arrays, except a top-level "OK"; the client decodes exactly that (see its `decode()`).
// Without the header strings are UTF-8, invalid bytes becoming U+FFFD, as Upstash documents.

export type Encoding = "base64" | "utf8";

export function encodeReply(reply: unknown, encoding: Encoding): unknown {
  if (encoding === "base64" && Buffer.isBuffer(reply) && reply.length === 2 && reply.toString() === "OK") {
    return "OK";
  }
  return encodeValue(reply, encoding);
}

function encodeValue(value: unknown, encoding: Encoding): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "number") return value;
  if (Buffer.isBuffer(value)) return value.toString(encoding);
  if (typeof value === "string") return Buffer.from(value).toString(encoding);
  if (Array.isArray(value)) return value.map((item) => encodeValue(item, encoding));
  // An error nested in an array reply (e.g. from EVAL) travels as its message.
  if (value instanceof Error) return Buffer.from(value.message).toString(encoding);
  return null;
}
