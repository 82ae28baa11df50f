// A provider's answer is held in the origin's memory while it arrives (read whole as JSON, or
// line by line by the client's SSE decoder, and assembled for the session), and the origin
// serves every account: a provider that never stops talking (ignoring max_tokens, looping, or
// an account's own hostile endpoint) must fail its one request, not exhaust the process. The
// same holds for the services the chat functions call.

import { eventFraming } from "./event-framing.ts";

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

/** A body declared as JSON (`application/json`, `+json`), as the openai client tells them. */
export function isJson(response: Response): boolean {
  const mediaType = response.headers.get("content-type")?.split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || mediaType.endsWith("+json");
}

export interface BodyBounds {
  maxBytes: number;
  tooLarge: () => Error;
  /**
   * For a client that decodes every successful body as server-sent events (a streamed call,
   * whatever content type the provider declares, JSON aside): the body re-cut into whole
   * events, none longer than `maxBytes` (event-framing.ts says why).
   */
  events?: { maxBytes: number; tooLong: () => Error };
}

/**
 * `inner`, with every response body cut off by `tooLarge()` past `maxBytes`. The counted body
 * also ends when the request's signal aborts, even where the runtime's own body would not (a
 * body that fails to inflate can leave undici's reader pending for good).
 */
export function boundedFetch(inner: typeof fetch, bounds: BodyBounds): typeof fetch {
  const { maxBytes, tooLarge, events } = bounds;
  return async (input, init) => {
    const response = await inner(input, init);
    // A JSON answer to a streamed call (a provider that ignores `stream: true`) is read whole.
    const framed = events !== undefined && response.ok && !isJson(response);
    if (response.body === null || (!framed && withinDeclaredLength(response, maxBytes))) {
      return response;
    }
    let received = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          received += chunk.byteLength;
          // Erroring the pipe also cancels the body, which closes the connection.
          if (received > maxBytes) return controller.error(tooLarge());
          controller.enqueue(chunk);
        },
      }),
      init?.signal ? { signal: init.signal } : {},
    );
    return new Response(
      framed ? counted.pipeThrough(eventFraming(events.maxBytes, events.tooLong)) : counted,
      {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      },
    );
  };
}
