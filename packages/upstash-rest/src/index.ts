export {
  type AllowedCommand,
  INSPECTION_COMMANDS,
  PRODUCT_COMMANDS,
  TEST_COMMANDS,
} from "./allowed.ts";
export { createUpstashRestApp, type UpstashRestAppOptions } from "./app.ts";
export { openRedisConnection } from "./connection.ts";
export { type DirectRequesterOptions, directRequester } from "./direct.ts";
export { type RunningUpstashRest, type StartUpstashRestOptions, startUpstashRest } from "./server.ts";
