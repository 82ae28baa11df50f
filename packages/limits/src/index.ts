export * from "./chat-limiter.ts";
export * from "./client-key.ts";
export * from "./parts.ts";
