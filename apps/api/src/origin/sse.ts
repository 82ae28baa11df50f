// Honest streaming. Before the first byte: the provider's first chunk is awaited (peeked)
// before anything is committed, so a provider that fails or never answers gets a JSON error
// with the real status. After it: every way a stream can go wrong (the provider throws, its
// stream ends without a finish_reason, no chunk within the idle timeout) ends the SSE body
// with one error event, so a client can always tell a complete answer from a broken one.
// A `: ping` comment goes out every `pingMs` while the answer lasts; a client that leaves
// aborts the upstream call.
import { BotgateError } from "@botgate/core";
import { setIdleTimeout } from "@botgate/llm";
import type { ChatCompletionChunk, ChatProvider, CompletionRequest, Usage } from "./provider.ts";

export interface StreamTimings {
  /** Longest wait for the first chunk and between chunks. */
  idleMs: number;
  /** Interval of `: ping` comments. */
  pingMs: number;
}

export interface PeekedStream {
  first: ChatCompletionChunk;
  iterator: AsyncIterator<ChatCompletionChunk>;
  upstream: AbortController;
  /** ms from the call until the first chunk. */
  firstChunkMs: number;
}

export interface StreamOutcome {
  finishReason: string | null;
  usage: Usage | null;
  /** The assistant text the chunks carried (the first choice they tell, as choices[0] unstreamed). */
  content: string;
  error: BotgateError | null;
  /** The client went away before the end. */
  clientGone: boolean;
}

const stalled = (ms: number) =>
  new BotgateError("GATEWAY_TIMEOUT", `The provider sent nothing for ${ms} ms.`, {
    openaiCode: "stream_stalled",
  });

/** The iterator's next result, or a GATEWAY_TIMEOUT after `ms` of silence. */
async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let cancel: (() => void) | undefined;
  try {
    return await Promise.race([
      iterator.next(),
      new Promise<never>((_, reject) => {
        cancel = setIdleTimeout(() => reject(stalled(ms)), ms);
      }),
    ]);
  } finally {
    cancel?.();
  }
}

export function asBotgateError(error: unknown): BotgateError {
  if (error instanceof BotgateError) return error;
  // Providers' failures arrive as BotgateErrors (packages/llm maps them): this one is ours.
  console.error("stream failed", error);
  return new BotgateError("INTERNAL", "The server failed while streaming the answer.");
}

/** Starts the provider's stream and waits for its first chunk (errors here are plain throws). */
export async function peekStream(
  provider: ChatProvider,
  request: CompletionRequest,
  timings: StreamTimings,
  clientSignal: AbortSignal,
): Promise<PeekedStream> {
  const upstream = new AbortController();
  const onClientAbort = () => upstream.abort(new BotgateError("BAD_REQUEST", "The client went away."));
  clientSignal.addEventListener("abort", onClientAbort, { once: true });
  const started = performance.now();
  const iterator = provider.stream(request, { signal: upstream.signal })[Symbol.asyncIterator]();
  try {
    const first = await nextWithin(iterator, timings.idleMs);
    if (first.done) {
      throw new BotgateError("BAD_GATEWAY", "The provider's stream ended before it answered.", {
        openaiCode: "stream_incomplete",
      });
    }
    return { first: first.value, iterator, upstream, firstChunkMs: performance.now() - started };
  } catch (error) {
    upstream.abort();
    void iterator.return?.().catch(() => {});
    clientSignal.removeEventListener("abort", onClientAbort);
    throw error;
  }
}

export interface SseRendering {
  /** The SSE events (already formatted) a chunk becomes; may be none. */
  chunk(chunk: ChatCompletionChunk): string[];
  /** The events after the last chunk of a complete answer (e.g. usage, `[DONE]`). */
  end(outcome: StreamOutcome, last: ChatCompletionChunk): Promise<string[]> | string[];
  /** The one event that ends a failed stream. */
  error(error: BotgateError): string;
  /** Once, when the stream is over however it ended (logging, persistence). */
  settled(outcome: StreamOutcome): void;
}

export const sseData = (data: unknown) =>
  `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
export const sseEvent = (event: string, data: unknown) => `event: ${event}\n${sseData(data)}`;

export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  // Tells nginx-like fronts not to buffer the answer.
  "X-Accel-Buffering": "no",
} as const;

export function sseBody(
  peeked: PeekedStream,
  rendering: SseRendering,
  timings: StreamTimings,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const { iterator, upstream } = peeked;
  const outcome: StreamOutcome = {
    finishReason: null,
    usage: null,
    content: "",
    error: null,
    clientGone: false,
  };
  let last = peeked.first;
  let pending: ChatCompletionChunk | null = peeked.first;
  let over = false;
  let answeredIndex: number | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const finish = () => {
    if (over) return false;
    over = true;
    clearInterval(ping);
    rendering.settled(outcome);
    return true;
  };
  const observe = (chunk: ChatCompletionChunk) => {
    last = chunk;
    if (chunk.usage) outcome.usage = chunk.usage;
    for (const choice of chunk.choices) {
      // As the provider judges a stream finished: any finish_reason, even "".
      if (choice.finish_reason != null) outcome.finishReason = choice.finish_reason;
      // The answer is the first choice the stream tells (a non-streamed answer's choices[0]).
      answeredIndex ??= choice.index;
      if (choice.index === answeredIndex && typeof choice.delta?.content === "string")
        outcome.content += choice.delta.content;
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      ping = setInterval(() => {
        if (!over) controller.enqueue(encoder.encode(": ping\n\n"));
      }, timings.pingMs);
    },
    // Loops until it has enqueued something: a pull that enqueues nothing is not called again.
    async pull(controller) {
      try {
        while (!over) {
          let chunk = pending;
          pending = null;
          if (chunk === null) {
            const next = await nextWithin(iterator, timings.idleMs);
            if (over) return;
            if (next.done) {
              if (outcome.finishReason === null) {
                throw new BotgateError(
                  "BAD_GATEWAY",
                  "The provider's stream ended before the answer was complete.",
                  {
                    openaiCode: "stream_incomplete",
                  },
                );
              }
              const tail = await rendering.end(outcome, last);
              if (over) return;
              for (const event of tail) controller.enqueue(encoder.encode(event));
              finish();
              controller.close();
              return;
            }
            chunk = next.value;
          }
          observe(chunk);
          const events = rendering.chunk(chunk);
          if (events.length > 0) {
            controller.enqueue(encoder.encode(events.join("")));
            return;
          }
        }
      } catch (error) {
        if (over) return;
        outcome.error = asBotgateError(error);
        upstream.abort();
        void iterator.return?.().catch(() => {});
        controller.enqueue(encoder.encode(rendering.error(outcome.error)));
        finish();
        controller.close();
      }
    },
    cancel() {
      // The client went away: stop paying for an answer nobody reads.
      outcome.clientGone = true;
      upstream.abort();
      void iterator.return?.().catch(() => {});
      finish();
    },
  });
}
