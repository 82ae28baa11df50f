// The chatbot's functions at the origin (issue 10 point 8): when a chatbot has enabled
// functions and the client sent no `tools` of its own, they are offered to the model and the
// tool loop (packages/llm completeWithTools) runs the calls before the answer. A streamed
// request gets the loop's final answer replayed as chunks: the loop runs before the first
// byte, so its failures are JSON errors with their real status.
import {
  type ChatFunction,
  type ChatMessage,
  type ChatProvider,
  type CompletionRequest,
  completeWithTools,
  completionChunks,
  createFunctionLibrary,
  type FunctionLibrary,
  functionsFor,
} from "@botgate/llm";
import type { Env } from "../env.ts";
import type { ChatCompletion } from "./provider.ts";
import type { StoredMessage } from "./sessions.ts";

export interface ToolRunner {
  /**
   * The chatbot's enabled functions, by the names loadChatbot read with the chatbot (none:
   * the request goes to the provider as it is).
   */
  toolsFor(chatbot: { functions: readonly { name: string }[] }): ChatFunction[];
  maxRounds: number;
}

export function toolRunnerOf(env: Env): ToolRunner {
  const library: FunctionLibrary = createFunctionLibrary({
    weather: { url: env.WEATHER_SERVICE_URL ?? null, timeoutMs: env.WEATHER_TIMEOUT_MS },
  });
  return {
    maxRounds: env.CHAT_TOOL_MAX_ROUNDS,
    toolsFor(chatbot) {
      return functionsFor(
        library,
        chatbot.functions.map((f) => f.name),
      );
    },
  };
}

export interface ToolTurn {
  completion: ChatCompletion;
  /** Assistant tool_calls turns and tool results, in order (empty without tools). */
  transcript: ChatMessage[];
}

/** One answer: through the tool loop when there are tools, straight to the provider otherwise. */
export async function completeTurn(
  provider: ChatProvider,
  request: CompletionRequest,
  tools: readonly ChatFunction[],
  options: { maxRounds: number; signal: AbortSignal },
): Promise<ToolTurn> {
  if (tools.length === 0) {
    return { completion: await provider.complete(request, { signal: options.signal }), transcript: [] };
  }
  const result = await completeWithTools(provider, request, tools, options);
  return { completion: result.completion, transcript: result.transcript };
}

/** The transcript as ChatHistory rows: tool calls on the assistant row, call id and name on results. */
export function storedTranscript(transcript: readonly ChatMessage[]): StoredMessage[] {
  const names = new Map<string, string>();
  return transcript.map((message) => {
    if (message.role === "assistant") {
      const calls = message.tool_calls ?? [];
      for (const call of calls) if (call.type === "function") names.set(call.id, call.function.name);
      return {
        role: "assistant",
        content: typeof message.content === "string" ? message.content : "",
        toolCalls: calls.map((call) => JSON.parse(JSON.stringify(call))),
      };
    }
    if (message.role === "tool") {
      return {
        role: "tool",
        content: typeof message.content === "string" ? message.content : "",
        toolCallId: message.tool_call_id,
        name: names.get(message.tool_call_id) ?? null,
      };
    }
    return { role: message.role, content: typeof message.content === "string" ? message.content : "" };
  });
}

/** A provider whose stream replays a finished completion (the tool loop's answer) as chunks. */
export function replayProvider(name: string, completion: ChatCompletion): ChatProvider {
  return {
    name,
    complete: async () => completion,
    async *stream() {
      yield* completionChunks(completion);
    },
  };
}
