// One interface for every LLM provider the chat origin talks to: the local `echo` provider
// and any OpenAI-compatible endpoint through the official `openai` client. Shapes are the
// openai package's own types, so what the origin relays is OpenAI's contract exactly.
import type OpenAI from "openai";

export type ChatMessage = OpenAI.Chat.ChatCompletionMessageParam;
export type ChatCompletion = OpenAI.Chat.ChatCompletion;
export type ChatCompletionChunk = OpenAI.Chat.ChatCompletionChunk;
export type ToolDefinition = OpenAI.Chat.ChatCompletionTool;
export type ToolCall = OpenAI.Chat.ChatCompletionMessageToolCall;
export type Usage = OpenAI.CompletionUsage;

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature: number | null;
  maxTokens: number | null;
  tools?: ToolDefinition[];
  toolChoice?: OpenAI.Chat.ChatCompletionToolChoiceOption;
}

export interface CallOptions {
  /** Aborts the upstream call (the client left, or a timeout fired). */
  signal?: AbortSignal;
}

export interface ChatProvider {
  /** The provider record's name ("echo" for the local one). */
  readonly name: string;
  /**
   * How long a caller waits for the answer to start: the whole non-streamed call, a stream's
   * first chunk, and a tool loop's whole turn (tool-loop.ts). Unset: no limit of its own.
   */
  readonly timeoutMs?: number;
  /** @throws BotgateError with a code that says whether our side or the provider failed. */
  complete(request: CompletionRequest, options?: CallOptions): Promise<ChatCompletion>;
  /**
   * Chunks in order, ending with one chunk carrying `usage` (and `choices: []`). Throws like
   * complete(), before the first chunk or between chunks; never ends silently mid-answer.
   */
  stream(request: CompletionRequest, options?: CallOptions): AsyncIterable<ChatCompletionChunk>;
}
