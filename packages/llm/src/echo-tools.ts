// The echo provider's tool calls, for end-to-end tests without a real model: a user message
// "calc: <expression>", "date: <date_calculator arguments as JSON>" or "weather: <place>"
// makes echo call that function when it is offered (and tool_choice is not "none"); once
// the results are in, echo answers with them.
import type { ChatMessage, CompletionRequest, ToolCall } from "./types.ts";

const COMMANDS: Record<string, { tool: string; args: (rest: string) => string }> = {
  calc: { tool: "calculator", args: (rest) => JSON.stringify({ expression: rest }) },
  date: { tool: "date_calculator", args: (rest) => rest },
  weather: { tool: "get_current_weather", args: (rest) => JSON.stringify({ location: rest }) },
};

const contentText = (message: ChatMessage): string =>
  typeof message.content === "string"
    ? message.content
    : Array.isArray(message.content)
      ? message.content.map((p) => ("text" in p && typeof p.text === "string" ? p.text : "")).join("")
      : "";

/** The tool calls echo makes for this request, or null when it answers in text. */
export function echoToolCalls(request: CompletionRequest): ToolCall[] | null {
  const last = request.messages.at(-1);
  if (last?.role !== "user" || request.toolChoice === "none") return null;
  const match = /^(calc|date|weather):\s*([\s\S]+)$/.exec(contentText(last).trim());
  const command = match?.[1] === undefined ? undefined : COMMANDS[match[1]];
  if (match?.[2] === undefined || command === undefined) return null;
  const offered = (request.tools ?? []).some(
    (t) => t.type === "function" && t.function.name === command.tool,
  );
  if (!offered) return null;
  return [
    {
      id: `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`,
      type: "function",
      function: { name: command.tool, arguments: command.args(match[2].trim()) },
    },
  ];
}

/** After a tool round (the last messages are tool results): what echo says. */
export function echoToolAnswer(request: CompletionRequest): string | null {
  const results: string[] = [];
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const message = request.messages[i];
    if (message?.role !== "tool") break;
    results.unshift(contentText(message));
  }
  return results.length === 0 ? null : `Echo: ${results.join(" ")}`;
}
