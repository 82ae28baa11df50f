// Any OpenAI-compatible endpoint through the official `openai` client. The platform decides
// retries (maxRetries 0). Timeouts are ours, on one AbortController per call:
//   - timeoutMs: the whole non-streamed call; for a stream, connection + time to first chunk;
//   - idleTimeoutMs: between two chunks of a stream, so an active stream is never cut by the
//     total while chunks flow, and a stall is noticed.
// The client's own stream iterator ends silently when aborted and when the body ends without
// [DONE]; both are turned into errors here, so a stream ends with its usage or throws.
import { BotgateError } from "@botgate/core";
import { type EgressPolicy, egressFetch } from "@botgate/egress";
import OpenAI, { APIUserAbortError } from "openai";
import { boundedFetch, DEFAULT_MAX_ANSWER_BYTES, isJson } from "./bounded-response.ts";
import { completionChunks } from "./completion-chunks.ts";
import { setIdleTimeout } from "./idle-timer.ts";
import { answerDefaults, checkedChunk, checkedCompletion } from "./shape.ts";
import type {
  CallOptions,
  ChatCompletion,
  ChatCompletionChunk,
  ChatProvider,
  CompletionRequest,
} from "./types.ts";
import {
  answerTooLarge,
  eventTooLong,
  hollowStream,
  mapUpstreamError,
  STREAM_INTERRUPTED_ROW,
} from "./upstream-errors.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** One chunk of a stream is one event; far above any chunk a model writes, tool calls included. */
export const MAX_EVENT_BYTES = 1024 * 1024;
/**
 * Chunks in a row with no text, tool call, finish or usage (an empty `choices`, a bare role):
 * a provider may send one or two, but a stream of them answers nothing. They do not reset the
 * idle timeout, and this many in a row fail the stream before that.
 */
export const MAX_HOLLOW_CHUNKS = 1_000;

export interface OpenAiCompatibleOptions {
  name: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs?: number;
  idleTimeoutMs?: number;
  /**
   * For a URL a customer chose (an account's provider record): connect only as this policy
   * allows, through @botgate/egress's guarded dispatcher (outside development no private or
   * loopback address, checked when connecting). Absent: the platform's own fetch, unrestricted
   * (the operator's OPENAI_BASE_URL).
   */
  egress?: EgressPolicy;
  /** Longest answer (body bytes, a stream's included) before the call fails; default 16 MiB. */
  maxAnswerBytes?: number;
  /** Tests only: the fetch the client uses (wins over `egress`). */
  fetch?: typeof fetch;
}

type Phase = "total" | "idle";

/** One call's cancellation: the caller's signal plus our total/idle timers. */
class CallGuard {
  readonly controller = new AbortController();
  timedOut: Phase | undefined;
  #cancelTimer: (() => void) | undefined;
  #deadline = 0;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.controller.abort(this.#signal?.reason);

  constructor(signal: AbortSignal | undefined) {
    this.#signal = signal;
    if (signal?.aborted) this.controller.abort(signal.reason);
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
  }

  arm(ms: number, phase: Phase) {
    this.pause();
    this.#deadline = performance.now() + ms;
    this.#cancelTimer = setIdleTimeout(() => {
      this.timedOut = phase;
      this.controller.abort();
    }, ms);
  }

  /** Stops the timer; answers the ms it had left. */
  pause(): number {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    return Math.max(0, this.#deadline - performance.now());
  }

  dispose() {
    this.pause();
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }
}

export class OpenAiCompatibleProvider implements ChatProvider {
  readonly name: string;
  readonly timeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly #client: OpenAI;
  /** The same, for streams: its bodies are re-cut into whole events (event-framing.ts). */
  readonly #streamClient: OpenAI;
  readonly #apiKey: string;

  constructor(options: OpenAiCompatibleOptions) {
    this.name = options.name;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    this.#apiKey = options.apiKey;
    // undici's own fetch with the guarded dispatcher: Node's global fetch bundles another undici.
    const baseFetch =
      options.fetch ?? (options.egress === undefined ? globalThis.fetch : egressFetch(options.egress));
    // Following a redirect would re-send the request, messages and all, wherever the provider
    // points: a 3xx is answered as a configuration error instead (rowForStatus).
    const clientFetch: typeof fetch = (input, init) => baseFetch(input, { ...init, redirect: "manual" });
    const maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
    const bounds = { maxBytes: maxAnswerBytes, tooLarge: () => answerTooLarge(this.name, maxAnswerBytes) };
    const client = (fetch: typeof globalThis.fetch) =>
      new OpenAI({
        baseURL: options.baseUrl,
        apiKey: options.apiKey,
        maxRetries: 0,
        // Our guard fires first; the client's own timer is a backstop only.
        timeout: this.timeoutMs + 1_000,
        fetch,
      });
    this.#client = client(boundedFetch(clientFetch, bounds));
    this.#streamClient = client(
      boundedFetch(clientFetch, {
        ...bounds,
        events: { maxBytes: MAX_EVENT_BYTES, tooLong: () => eventTooLong(this.name, MAX_EVENT_BYTES) },
      }),
    );
  }

  #body(request: CompletionRequest) {
    return {
      model: request.model,
      messages: request.messages,
      ...(request.temperature === null ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === null ? {} : { max_tokens: request.maxTokens }),
      ...(request.tools === undefined || request.tools.length === 0 ? {} : { tools: request.tools }),
      ...(request.toolChoice === undefined ? {} : { tool_choice: request.toolChoice }),
    };
  }

  async complete(request: CompletionRequest, options: CallOptions = {}): Promise<ChatCompletion> {
    const guard = new CallGuard(options.signal);
    guard.arm(this.timeoutMs, "total");
    try {
      const completion: unknown = await this.#client.chat.completions.create(
        { ...this.#body(request), stream: false },
        { signal: guard.controller.signal },
      );
      return checkedCompletion(completion, this.name, answerDefaults(request.model));
    } catch (error) {
      throw mapUpstreamError(error, { provider: this.name, secret: this.#apiKey, timedOut: guard.timedOut });
    } finally {
      guard.dispose();
    }
  }

  async *stream(request: CompletionRequest, options: CallOptions = {}): AsyncIterable<ChatCompletionChunk> {
    const guard = new CallGuard(options.signal);
    guard.arm(this.timeoutMs, "total");
    let connected = false;
    let finished = false;
    // One envelope for the whole stream: its chunks share an id even when the provider gave none.
    const defaults = answerDefaults(request.model);
    try {
      const { data: stream, response } = await this.#streamClient.chat.completions
        .create(
          { ...this.#body(request), stream: true, stream_options: { include_usage: true } },
          { signal: guard.controller.signal },
        )
        .withResponse();
      connected = true;
      if (isJson(response)) {
        // A provider that ignores `stream: true` answers the whole completion: told as chunks.
        const whole = checkedCompletion(await response.json(), this.name, defaults);
        guard.pause();
        yield* completionChunks(whole);
        return;
      }
      let hollowInARow = 0;
      let opening = true;
      for await (const raw of stream) {
        // The consumer's own pace is not the provider's idleness: no timer while it holds a chunk.
        const idleLeft = guard.pause();
        const chunk = checkedChunk(raw, this.name, defaults);
        // A chunk that carries nothing (the first opens the stream) proves no progress: the
        // idle timeout runs on from the last one that did.
        const progress = opening || carriesSomething(chunk);
        opening = false;
        hollowInARow = progress ? 0 : hollowInARow + 1;
        if (hollowInARow > MAX_HOLLOW_CHUNKS) throw hollowStream(this.name, hollowInARow);
        if (chunk.choices.some((c) => c.finish_reason != null)) finished = true;
        yield chunk;
        if (guard.controller.signal.aborted) break;
        guard.arm(progress ? this.idleTimeoutMs : idleLeft, "idle");
      }
      if (guard.controller.signal.aborted) {
        throw new APIUserAbortError();
      }
      // The body ended without a finish_reason: the answer is incomplete, whatever the transport said.
      if (!finished) throw interrupted(this.name);
    } catch (error) {
      throw mapUpstreamError(error, {
        provider: this.name,
        secret: this.#apiKey,
        timedOut: guard.timedOut,
        midStream: connected,
      });
    } finally {
      guard.dispose();
      // Leaving early (consumer break, error) aborts the upstream request.
      if (!guard.controller.signal.aborted) guard.controller.abort();
    }
  }
}

const isEmpty = (value: unknown) =>
  value == null ||
  value === "" ||
  (Array.isArray(value) && value.length === 0) ||
  (typeof value === "object" && Object.keys(value).length === 0);

/** Text, a tool call, a finish, usage, or any other field a provider fills in (reasoning, say). */
function carriesSomething(chunk: ChatCompletionChunk): boolean {
  if (chunk.usage != null) return true;
  return chunk.choices.some(
    (choice) =>
      choice.finish_reason != null ||
      Object.entries(choice.delta ?? {}).some(([field, value]) => field !== "role" && !isEmpty(value)),
  );
}

function interrupted(provider: string): BotgateError {
  return new BotgateError(STREAM_INTERRUPTED_ROW.code, `${STREAM_INTERRUPTED_ROW.message}.`, {
    providerFailure: {
      provider,
      side: STREAM_INTERRUPTED_ROW.side,
      retryable: STREAM_INTERRUPTED_ROW.retryable,
    },
  });
}
