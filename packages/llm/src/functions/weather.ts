// `get_current_weather`: asks a weather HTTP service (WEATHER_SERVICE_URL) with a timeout.
// The service answers GET <url>?location=<text>&unit=<celsius|fahrenheit> with a JSON object,
// which is handed to the model as is (bounded in size); every failure is an error result.
import { z } from "zod";
import { boundedFetch } from "../bounded-response.ts";
import { parseArguments } from "./arguments.ts";
import { type ChatFunction, errorResult } from "./types.ts";

export interface WeatherServiceOptions {
  /** null: the function answers "not configured" (it can still be enabled). */
  url: string | null;
  timeoutMs: number;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

const MAX_RESPONSE_BYTES = 16 * 1024;

const argumentsSchema = z.strictObject({
  location: z.string().trim().min(1).max(100),
  unit: z.enum(["celsius", "fahrenheit"]).default("celsius"),
});

/** The bound's error: told apart from a failed connection in execute's catch. */
class AnswerTooLarge extends Error {}

export function weatherFunction(options: WeatherServiceOptions): ChatFunction {
  const doFetch = boundedFetch(options.fetch ?? fetch, {
    maxBytes: MAX_RESPONSE_BYTES,
    tooLarge: () => new AnswerTooLarge(),
  });
  return {
    name: "get_current_weather",
    definition: {
      type: "function",
      function: {
        name: "get_current_weather",
        description: "The current weather at a place.",
        parameters: {
          type: "object",
          properties: {
            location: { type: "string", description: "City and country or region, e.g. 'Paris, France'." },
            unit: { type: "string", enum: ["celsius", "fahrenheit"] },
          },
          required: ["location"],
          additionalProperties: false,
        },
      },
    },
    async execute(argumentsJson, { signal } = {}) {
      const args = parseArguments(argumentsSchema, argumentsJson);
      if (!args.ok) return args.result;
      if (options.url === null) return errorResult("not_configured", "No weather service is configured.");
      const url = new URL(options.url);
      url.searchParams.set("location", args.value.location);
      url.searchParams.set("unit", args.value.unit);
      const timeout = AbortSignal.timeout(options.timeoutMs);
      try {
        const response = await doFetch(url, {
          headers: { accept: "application/json" },
          signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
        });
        if (!response.ok) {
          await response.body?.cancel();
          return errorResult("upstream_failed", `The weather service answered ${response.status}.`);
        }
        const data: unknown = JSON.parse(await response.text());
        if (typeof data !== "object" || data === null || Array.isArray(data)) {
          return errorResult("upstream_failed", "The weather service did not answer a JSON object.");
        }
        return JSON.stringify({ location: args.value.location, unit: args.value.unit, ...data });
      } catch (error) {
        if (error instanceof AnswerTooLarge)
          return errorResult("upstream_failed", "The weather service's answer is too large.");
        if (timeout.aborted)
          return errorResult("timeout", `The weather service did not answer within ${options.timeoutMs} ms.`);
        if (error instanceof SyntaxError)
          return errorResult("upstream_failed", "The weather service did not answer JSON.");
        return errorResult("upstream_failed", "The weather service could not be reached.");
      }
    },
  };
}
