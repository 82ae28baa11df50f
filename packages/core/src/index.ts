export * from "./errors.ts";
export * from "./routing.ts";
export * from "./statuses.ts";
