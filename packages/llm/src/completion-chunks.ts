// A finished completion told as the chunks a provider would have streamed: for the tool loop's
// answer to a streamed request, and for a provider that answers `stream: true` with the whole
// completion as JSON. Every choice, in the order OpenAI streams them: the role, then what the
// message holds (text, refusal, tool calls with their index, any other field a provider adds),
// then the finish reason, then one chunk with `choices: []` and the usage, when there is one.
import type { ChatCompletion, ChatCompletionChunk } from "./types.ts";

type Choice = ChatCompletionChunk["choices"][number];
type Delta = Choice["delta"];

/** The message's fields as a delta; null when it holds nothing beyond its role. */
function deltaOf(message: ChatCompletion["choices"][number]["message"]): Delta | null {
  const { role: _, tool_calls: calls, ...fields } = message;
  const delta: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    const empty = value == null || value === "" || (Array.isArray(value) && value.length === 0);
    if (!empty) delta[field] = value;
  }
  if (calls !== undefined && calls.length > 0) {
    delta.tool_calls = calls.map((call, index) => ({ index, ...call }));
  }
  return Object.keys(delta).length === 0 ? null : (delta as Delta);
}

export function completionChunks(completion: ChatCompletion): ChatCompletionChunk[] {
  const chunk = (choices: Choice[], usage: ChatCompletionChunk["usage"] = null): ChatCompletionChunk => ({
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
    ...(completion.system_fingerprint == null ? {} : { system_fingerprint: completion.system_fingerprint }),
    choices,
    usage,
  });
  const chunks = [
    chunk(
      completion.choices.map(({ index }) => ({
        index,
        delta: { role: "assistant", content: "" },
        finish_reason: null,
        logprobs: null,
      })),
    ),
  ];
  for (const { index, message } of completion.choices) {
    const delta = deltaOf(message);
    if (delta !== null) chunks.push(chunk([{ index, delta, finish_reason: null, logprobs: null }]));
  }
  chunks.push(
    chunk(
      completion.choices.map(({ index, finish_reason }) => ({
        index,
        delta: {},
        finish_reason: finish_reason ?? "stop",
        logprobs: null,
      })),
    ),
  );
  if (completion.usage !== undefined) chunks.push(chunk([], completion.usage));
  return chunks;
}
