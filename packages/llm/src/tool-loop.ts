// The tool loop: offer the chatbot's functions to the model, run the calls it asks for,
// append the assistant's tool_calls and each result, and ask again until the model answers.
// After `maxRounds` rounds of tool calls the model is asked once more with tool_choice
// "none", so the conversation ends with an answer; a model that still asks for tools then
// is a provider fault (BAD_GATEWAY), never an endless loop. The whole turn, every call and
// function included, has the time of one call (`timeoutMs`): the caller is waiting for its
// first byte all along.
import { BotgateError } from "@botgate/core";
import { type ChatFunction, errorResult } from "./functions/types.ts";
import type {
  CallOptions,
  ChatCompletion,
  ChatMessage,
  ChatProvider,
  CompletionRequest,
  Usage,
} from "./types.ts";
import { timedOut } from "./upstream-errors.ts";

export const DEFAULT_MAX_ROUNDS = 4;
/** More calls than this in one assistant turn get an error result instead of running. */
export const MAX_CALLS_PER_ROUND = 16;
/**
 * More calls than this in one answer fail the turn (BAD_GATEWAY): each would still be stored
 * and sent back with its error result, and a few thousand would flood the session's history.
 */
export const MAX_CALLS_PER_ANSWER = 4 * MAX_CALLS_PER_ROUND;

export interface ToolLoopOptions extends CallOptions {
  /** Rounds of tool calls run before the model must answer; DEFAULT_MAX_ROUNDS by default. */
  maxRounds?: number;
  /**
   * The whole turn's time, every provider call and function included; by default the
   * provider's own timeoutMs. Past it the turn fails as PROVIDER_TIMEOUT (504), like one call.
   */
  timeoutMs?: number;
}

export interface ToolLoopResult {
  /** The model's answer, with `usage` summed over every call of the loop. */
  completion: ChatCompletion;
  /** What the loop added after request.messages: assistant tool_calls turns and tool results. */
  transcript: ChatMessage[];
  usage: Usage | undefined;
  /** Provider calls made. */
  calls: number;
}

function addUsage(total: Usage | undefined, more: Usage | undefined): Usage | undefined {
  if (more === undefined || more === null) return total;
  if (total === undefined) return { ...more };
  return {
    prompt_tokens: total.prompt_tokens + more.prompt_tokens,
    completion_tokens: total.completion_tokens + more.completion_tokens,
    total_tokens: total.total_tokens + more.total_tokens,
  };
}

async function runCall(
  call: NonNullable<ChatCompletion["choices"][number]["message"]["tool_calls"]>[number],
  byName: ReadonlyMap<string, ChatFunction>,
  index: number,
  options: CallOptions,
): Promise<string> {
  if (index >= MAX_CALLS_PER_ROUND) {
    return errorResult("invalid_arguments", `At most ${MAX_CALLS_PER_ROUND} tool calls per turn.`);
  }
  if (call.type !== "function") return errorResult("unknown_function", "Only function tools are available.");
  const fn = byName.get(call.function.name);
  if (fn === undefined) return errorResult("unknown_function", `No function named ${call.function.name}.`);
  try {
    return await fn.execute(
      call.function.arguments,
      options.signal === undefined ? {} : { signal: options.signal },
    );
  } catch {
    // Executors never throw; a bug in one must still not break the conversation.
    return errorResult("evaluation_failed", `${call.function.name} failed.`);
  }
}

/**
 * @throws what provider.complete() throws, and BotgateError("BAD_GATEWAY") when the model
 * keeps calling tools after it was told not to.
 */
export async function completeWithTools(
  provider: ChatProvider,
  request: CompletionRequest,
  tools: readonly ChatFunction[],
  options: ToolLoopOptions = {},
): Promise<ToolLoopResult> {
  const timeoutMs = options.timeoutMs ?? provider.timeoutMs;
  const deadline = new AbortController();
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => deadline.abort(), timeoutMs);
  const signal =
    options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
  const spent: Spent = { usage: undefined };
  try {
    const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
    return await loop(provider, request, tools, maxRounds, { signal }, deadline.signal, spent);
  } catch (error) {
    // The provider and the functions saw our deadline as a cancelled call: it is a timeout.
    const failure =
      deadline.signal.aborted && options.signal?.aborted !== true ? timedOut(provider.name) : error;
    throw withUsage(failure, spent.usage);
  } finally {
    clearTimeout(timer);
  }
}

/** The tokens the loop's calls used so far. */
interface Spent {
  usage: Usage | undefined;
}

/**
 * A turn that fails after some calls answered still used their tokens: the error carries them
 * for the request log (logDetails.usage, never shown to a caller).
 */
function withUsage(error: unknown, usage: Usage | undefined): unknown {
  if (usage === undefined || !(error instanceof BotgateError)) return error;
  const carrying = new BotgateError(error.code, error.message, error.details, { ...error.logDetails, usage });
  carrying.cause = error;
  return carrying;
}

async function loop(
  provider: ChatProvider,
  request: CompletionRequest,
  tools: readonly ChatFunction[],
  maxRounds: number,
  callOptions: { signal: AbortSignal },
  deadline: AbortSignal,
  spent: Spent,
): Promise<ToolLoopResult> {
  const byName = new Map(tools.map((t) => [t.name, t]));
  const transcript: ChatMessage[] = [];
  for (let round = 0; ; round++) {
    // A provider or function that ignores the signal has finished late: no further round.
    if (deadline.aborted) throw timedOut(provider.name);
    const lastChance = round >= maxRounds;
    const completion = await provider.complete(
      {
        ...request,
        messages: [...request.messages, ...transcript],
        ...(tools.length > 0 && {
          tools: tools.map((t) => t.definition),
          toolChoice: lastChance ? "none" : "auto",
        }),
      },
      callOptions,
    );
    spent.usage = addUsage(spent.usage, completion.usage);
    const { usage } = spent;
    const message = completion.choices[0]?.message;
    const toolCalls = message?.tool_calls ?? [];
    if (message === undefined || toolCalls.length === 0 || tools.length === 0) {
      return {
        completion: usage === undefined ? completion : { ...completion, usage },
        transcript,
        usage,
        calls: round + 1,
      };
    }
    if (toolCalls.length > MAX_CALLS_PER_ANSWER) {
      throw new BotgateError(
        "BAD_GATEWAY",
        `The model asked for ${toolCalls.length} tool calls in one answer, more than the ${MAX_CALLS_PER_ANSWER} the platform accepts.`,
        { maxCalls: MAX_CALLS_PER_ANSWER },
      );
    }
    if (lastChance) {
      throw new BotgateError("BAD_GATEWAY", `The model kept calling tools after ${maxRounds} rounds.`, {
        maxRounds,
      });
    }
    transcript.push({ role: "assistant", content: message.content ?? null, tool_calls: toolCalls });
    const results = await Promise.all(toolCalls.map((call, i) => runCall(call, byName, i, callOptions)));
    toolCalls.forEach((call, i) => {
      transcript.push({ role: "tool", tool_call_id: call.id, content: results[i] ?? "" });
    });
  }
}
