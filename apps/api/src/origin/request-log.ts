// One ChatBotRequests row per chat call the origin served or tried to: what was asked of whom,
// what it cost and how long it took, never the messages themselves (those live once, in
// ChatHistory, for /chat/ sessions). Written in the background, after the answer.
import type { ChatbotMode } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import { inBackground } from "./background.ts";
import type { CompletionRequest, Usage } from "./provider.ts";
import { storable } from "./sessions.ts";

export interface RequestLogEntry {
  chatbotId: number;
  sessionKey: string | null;
  command: "chat" | "chat.completions";
  mode: ChatbotMode;
  requestId: string;
  provider: string;
  request: CompletionRequest;
  /** Messages the client sent. */
  messageCount: number;
  stream: boolean;
  usage: Usage | null | undefined;
  latencyMs: number;
  /** Streams: ms until the provider's first chunk. */
  firstChunkMs?: number | null;
  finishReason: string | null;
  /** The error code when the call failed (before or after the first byte). */
  error?: string;
  /** The client left before the answer was complete. */
  clientGone?: boolean;
  /** The provider's own words about a request it rejected (redacted): the owner's, never a caller's. */
  providerMessage?: string;
}

export function requestLogData(entry: RequestLogEntry) {
  return {
    chatbotId: entry.chatbotId,
    sessionKey: entry.sessionKey,
    // A jsonb column: the provider's finish_reason (and anything else here) may hold what jsonb refuses.
    request: storable({
      command: entry.command,
      mode: entry.mode,
      request_id: entry.requestId,
      provider: entry.provider,
      model: entry.request.model,
      temperature: entry.request.temperature,
      max_tokens: entry.request.maxTokens,
      message_count: entry.messageCount,
      tool_count: entry.request.tools?.length ?? 0,
      stream: entry.stream,
      usage:
        entry.usage == null
          ? null
          : {
              prompt_tokens: entry.usage.prompt_tokens,
              completion_tokens: entry.usage.completion_tokens,
              total_tokens: entry.usage.total_tokens,
            },
      latency_ms: Math.round(entry.latencyMs),
      ...(entry.firstChunkMs == null ? {} : { first_chunk_ms: Math.round(entry.firstChunkMs) }),
      finish_reason: entry.finishReason,
      ...(entry.error === undefined ? {} : { error: entry.error }),
      ...(entry.clientGone ? { client_gone: true } : {}),
      ...(entry.providerMessage === undefined ? {} : { provider_message: entry.providerMessage }),
    }),
  };
}

/** Queues the row's write; the response never waits for it (see background.ts). */
export function logRequest(db: DatabaseClient, entry: RequestLogEntry): void {
  const data = requestLogData(entry);
  inBackground(`request log ${entry.requestId}`, () =>
    db.chatBotRequests.create({ data, select: { id: true } }),
  );
}
