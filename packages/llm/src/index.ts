export * from "./functions/index.ts";
export * from "./tool-loop.ts";
export type * from "./types.ts";
