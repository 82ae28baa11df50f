export { jobHandlers } from "./handlers.ts";
export { type Jobs, type OpenJobsOptions, openJobs, PGBOSS_SCHEMA } from "./queue.ts";
export {
  chatbotSingletonKey,
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
