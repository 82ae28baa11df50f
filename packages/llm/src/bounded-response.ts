// A provider's answer is held in the origin's memory while it arrives (read whole as JSON, or
// line by line by the client's SSE decoder, and assembled for the session), and the origin
// serves every account: a provider that never stops talking (ignoring max_tokens, looping, or
// an account's own hostile endpoint) must fail its one request, not exhaust the process. The
// same holds for the services the chat functions call.

/** Far above any answer within a chatbot's max tokens, streamed chunk overhead included. */
export const DEFAULT_MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/**
 * A body fetch delivers exactly as its Content-Length says (a longer one is cut there, a
 * shorter one fails), so a declared length within the bound needs no counting; unless the
 * body is compressed, since fetch inflates it and the length counts compressed bytes.
 */
function withinDeclaredLength(response: Response, maxBytes: number): boolean {
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return false;
  const length = response.headers.get("content-length");
  return length !== null && /^\d{1,15}$/.test(length.trim()) && Number(length) <= maxBytes;
}

/** `inner`, with every response body cut off by `tooLarge()` past `maxBytes`. */
export function boundedFetch(inner: typeof fetch, maxBytes: number, tooLarge: () => Error): typeof fetch {
  return async (input, init) => {
    const response = await inner(input, init);
    if (response.body === null || withinDeclaredLength(response, maxBytes)) return response;
    let received = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          // Erroring the pipe also cancels the body, which closes the connection.
          if (received > maxBytes) controller.error(tooLarge());
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}
