// What a chatbot function is to the tool loop: an OpenAI tool definition the model is offered
// and an executor that turns the model's arguments (a JSON string) into a JSON string result.
import type { ToolDefinition } from "../types.ts";

/** The seed's ChatBotFunctionName values (prisma/schema.prisma), one executor each. */
export const CHAT_FUNCTION_NAMES = ["calculator", "date_calculator", "get_current_weather"] as const;
export type ChatFunctionName = (typeof CHAT_FUNCTION_NAMES)[number];

export interface ExecuteOptions {
  /** The chat request was abandoned: stop waiting for outside services. */
  signal?: AbortSignal;
}

export interface ChatFunction {
  readonly name: string;
  readonly definition: ToolDefinition;
  /**
   * Never rejects: bad arguments and failures come back as `{"error":{"code","message"}}`,
   * which the model reads like any other result and can recover from.
   */
  execute(argumentsJson: string, options?: ExecuteOptions): Promise<string>;
}

export type FunctionErrorCode =
  | "invalid_arguments"
  | "evaluation_failed"
  | "not_configured"
  | "upstream_failed"
  | "timeout"
  | "unknown_function";

export function errorResult(code: FunctionErrorCode, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
