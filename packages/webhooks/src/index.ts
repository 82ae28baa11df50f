export * from "./deliver.ts";
export * from "./destination.ts";
export * from "./payload.ts";
export * from "./schedule.ts";
export * from "./signing.ts";
