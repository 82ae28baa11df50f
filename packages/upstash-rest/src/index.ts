export { createUpstashRestApp, type UpstashRestAppOptions } from "./app.ts";
export { type RunningUpstashRest, type StartUpstashRestOptions, startUpstashRest } from "./server.ts";
