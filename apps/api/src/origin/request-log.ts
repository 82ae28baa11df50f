// One ChatBotRequests row per answered chat call: what was asked of whom and what it cost,
// never the messages themselves (those live once, in ChatHistory, for /chat/ sessions).
import type { ChatbotMode } from "@botgate/core";
import type { DatabaseClient, Prisma } from "@botgate/db";
import type { CompletionRequest, Usage } from "./provider.ts";

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
  finishReason: string | null;
  /** The error code when a stream failed after it started. */
  error?: string;
}

export function requestLogWrite(db: DatabaseClient, entry: RequestLogEntry): Prisma.PrismaPromise<unknown> {
  return db.chatBotRequests.create({
    data: {
      chatbotId: entry.chatbotId,
      sessionKey: entry.sessionKey,
      request: {
        command: entry.command,
        mode: entry.mode,
        request_id: entry.requestId,
        provider: entry.provider,
        model: entry.request.model,
        temperature: entry.request.temperature,
        max_tokens: entry.request.maxTokens,
        message_count: entry.messageCount,
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
        finish_reason: entry.finishReason,
        ...(entry.error === undefined ? {} : { error: entry.error }),
      },
    },
    select: { id: true },
  });
}
