export { completionChunks } from "./completion-chunks.ts";
export { EchoProvider, messageText } from "./echo.ts";
export * from "./functions/index.ts";
export { setIdleTimeout } from "./idle-timer.ts";
export {
  DEFAULT_IDLE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  type OpenAiCompatibleOptions,
  OpenAiCompatibleProvider,
} from "./openai-compatible.ts";
export * from "./tool-loop.ts";
export type * from "./types.ts";
export {
  type FailedSide,
  mapUpstreamError,
  type ProviderFailure,
  providerFailureOf,
  retryAfterMsOf,
  rowForStatus,
  UPSTREAM_STATUS_ROWS,
  type UpstreamErrorRow,
} from "./upstream-errors.ts";
