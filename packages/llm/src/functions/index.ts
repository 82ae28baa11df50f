// The chatbot functions (the seed's ChatBotFunctions) and how to pick the enabled ones.
import { calculator } from "./calculator.ts";
import { dateCalculator } from "./date-calculator.ts";
import type { ChatFunction, ChatFunctionName } from "./types.ts";
import { type WeatherServiceOptions, weatherFunction } from "./weather.ts";

export { calculator, evaluateExpression, MAX_EXPRESSION_CHARS } from "./calculator.ts";
export { dateCalculator } from "./date-calculator.ts";
export * from "./types.ts";
export { type WeatherServiceOptions, weatherFunction } from "./weather.ts";

export interface FunctionLibraryOptions {
  weather: WeatherServiceOptions;
}

export type FunctionLibrary = Record<ChatFunctionName, ChatFunction>;

export function createFunctionLibrary(options: FunctionLibraryOptions): FunctionLibrary {
  return {
    calculator,
    date_calculator: dateCalculator,
    get_current_weather: weatherFunction(options.weather),
  };
}

/** The functions a chatbot has enabled, in a stable order (unknown names are ignored). */
export function functionsFor(library: FunctionLibrary, enabled: readonly string[]): ChatFunction[] {
  return (Object.keys(library) as ChatFunctionName[])
    .filter((n) => enabled.includes(n))
    .map((n) => library[n]);
}
