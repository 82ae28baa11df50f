export {
  backoffSeconds,
  certificateToken,
  DEFAULT_DEPLOY_OPTIONS,
  type DeployOptions,
  deploymentHandler,
  hostRecord,
} from "./deploy.ts";
export * from "./domains/index.ts";
export { domainQueueDefinitions } from "./domains/queues.ts";
export { type HandlerOptions, jobHandlers } from "./handlers.ts";
export {
  HOST_SWEEP_BATCH,
  HOST_SWEEP_QUEUE,
  type HostReverifyServices,
  recheckHost,
  sweepDueHosts,
} from "./host-reverify.ts";
export { type Jobs, type OpenJobsOptions, openJobs, PGBOSS_SCHEMA } from "./queue.ts";
export {
  DEFAULT_QUEUE_TUNING,
  QUEUE_NAMES,
  type QueueDefinition,
  type QueueTuning,
  queueDefinitions,
} from "./queues.ts";
export { type SqlExecutor, transactionExecutor } from "./sql.ts";
export {
  WEBHOOK_DELIVERY_QUEUE,
  webhookDeliveryHandler,
  webhookDeliveryQueue,
  webhookQueueDefinition,
} from "./webhooks.ts";
export { type JobContext, type JobHandler, startWorker, type Worker, type WorkerOptions } from "./worker.ts";
