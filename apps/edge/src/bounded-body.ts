// Reading a request's or a response's body whole, but never more than a bound: what a client
// sends to be forwarded, and the error bodies the origin (or a front) answers.

/** The body's bytes (empty for none), or "too_large" past `max` bytes (the rest is not read). */
export async function readAtMost(
  message: Request | Response,
  max: number,
): Promise<Uint8Array<ArrayBuffer> | "too_large"> {
  if (Number(message.headers.get("content-length") ?? 0) > max) {
    await message.body?.cancel().catch(() => {});
    return "too_large";
  }
  if (message.body === null) return new Uint8Array();
  const reader = message.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return "too_large";
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}
