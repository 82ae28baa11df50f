// The page's two calls, relative to wherever it is served (a chatbot host's root, its sandbox
// path or its by-id path): config/ for the chatbot and the session, chat/ for a reply, streamed
// as Server-Sent Events when the origin streams and read whole when it answers JSON.
import { EventSourceParserStream } from "eventsource-parser/stream";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
  get needsKey(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface Turn {
  role: "user" | "assistant";
  content: string;
}

export interface ChatConfig {
  sessionKey: string | null;
  chatbot: Record<string, unknown>;
  history: Turn[];
  stale: boolean;
}

interface ErrorBody {
  error?: { message?: unknown; code?: unknown };
}

const base = () => (location.pathname.endsWith("/") ? location.pathname : `${location.pathname}/`);

function headers(key: string): Record<string, string> {
  return key
    ? { "Content-Type": "application/json", Authorization: `Bearer ${key}` }
    : { "Content-Type": "application/json" };
}

async function failure(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => ({}))) as ErrorBody;
  const message =
    typeof body.error?.message === "string"
      ? body.error.message
      : `The chatbot answered HTTP ${response.status}.`;
  return new ApiError(
    response.status,
    message,
    typeof body.error?.code === "string" ? body.error.code : "http_error",
  );
}

const record = (v: unknown): Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

export async function loadConfig(sessionKey: string | null, key: string): Promise<ChatConfig> {
  const response = await fetch(`${base()}config/`, {
    method: "POST",
    headers: headers(key),
    body: JSON.stringify(sessionKey ? { session_key: sessionKey } : {}),
  });
  if (!response.ok) throw await failure(response);
  const json = record(await response.json());
  const data = record(json.data);
  const turns = Array.isArray(record(data.history).chat_history)
    ? (record(data.history).chat_history as unknown[])
    : [];
  return {
    sessionKey: typeof data.session_key === "string" ? data.session_key : null,
    chatbot: record(data.chatbot),
    history: turns
      .map(record)
      .filter(
        (t) =>
          (t.role === "user" || t.role === "assistant") && typeof t.content === "string" && t.content !== "",
      )
      .map((t) => ({ role: t.role as Turn["role"], content: t.content as string })),
    stale: json.stale === true || record(data.meta_data).stale === true,
  };
}

export interface ChatRequest {
  sessionKey: string | null;
  messages: Turn[];
  key: string;
  signal: AbortSignal;
  /** Called with the whole answer so far, each time it grows. */
  onText(text: string): void;
}

/** Sends a turn; resolves with the answer and the session key the origin used. */
export async function sendChat(request: ChatRequest): Promise<{ text: string; sessionKey: string | null }> {
  const response = await fetch(`${base()}chat/`, {
    method: "POST",
    headers: { ...headers(request.key), Accept: "text/event-stream, application/json" },
    body: JSON.stringify({ session_key: request.sessionKey, messages: request.messages, stream: true }),
    signal: request.signal,
  });
  if (!response.ok) throw await failure(response);
  if (!(response.headers.get("content-type") ?? "").includes("text/event-stream") || response.body === null) {
    const body = record(record(record(await response.json()).data).body);
    const choice = record(Array.isArray(body.choices) ? body.choices[0] : undefined);
    const text = String(record(choice.message).content ?? "");
    request.onText(text);
    return { text, sessionKey: sessionKeyOf(body) ?? request.sessionKey };
  }
  let text = "";
  let sessionKey = request.sessionKey;
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const event of events) {
    if (event.data === "[DONE]") return { text, sessionKey };
    let data: Record<string, unknown>;
    try {
      data = record(JSON.parse(event.data));
    } catch {
      continue;
    }
    if (event.event === "envelope") {
      // The whole answer as the non-streaming call gives it: its metadata names the session.
      sessionKey = sessionKeyOf(record(record(data.data).body)) ?? sessionKey;
      continue;
    }
    if (data.error !== undefined) {
      const error = record(data.error);
      throw new ApiError(
        502,
        String(error.message ?? "The reply was interrupted."),
        String(error.code ?? "stream_error"),
      );
    }
    const choices = Array.isArray(data.choices) ? data.choices : [];
    const delta = record(record(choices[0]).delta);
    if (typeof delta.content === "string" && delta.content !== "") {
      text += delta.content;
      request.onText(text);
    }
  }
  // The stream ended without [DONE] or an error: the answer is incomplete, say so.
  throw new ApiError(502, "The reply was cut off before it finished.", "stream_incomplete");
}

function sessionKeyOf(data: Record<string, unknown>): string | null {
  const key = record(data.metadata).session_key;
  return typeof key === "string" ? key : null;
}
