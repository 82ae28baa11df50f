// The contract between the API, which enqueues deployment work inside the transaction that
// changes a chatbot, and packages/jobs, which runs it. One queue for every kind of deployment
// work of a chatbot, keyed by the chatbot: its jobs never run at once.
import type { Prisma } from "@botgate/db";
import type { DnsRecord } from "@botgate/provisioning";
import type { ApiServices } from "../context.ts";

export const DEPLOYMENT_QUEUE = "chatbot-deployment";

export type DeploymentJob =
  /** Converges a deployed chatbot to ready: record, certificate, DNS check, routes. */
  | { action: "deploy"; chatbotId: number; generation: number; attempt: number; mismatches: number }
  /** Removes the default host's record of an undeployed chatbot (the certificate is kept). */
  | { action: "undeploy"; chatbotId: number; generation: number }
  /** Removes what a deleted chatbot left in the provider; the row is gone, so the job carries it. */
  | {
      action: "delete";
      chatbotId: number;
      /** Default hosts whose record the job removes (written by a deploy that had not stored it yet). */
      hosts: string[];
      records: DnsRecord[];
      certificateArns: string[];
    };

export function deploymentSingletonKey(chatbotId: number): string {
  return `chatbot:${chatbotId}`;
}

export function enqueueDeploymentJob(
  services: Pick<ApiServices, "jobs">,
  tx: Prisma.TransactionClient,
  job: DeploymentJob,
  startAfterSeconds?: number,
): Promise<void> {
  return services.jobs.enqueue(tx, {
    name: DEPLOYMENT_QUEUE,
    data: job as unknown as Prisma.InputJsonObject,
    singletonKey: deploymentSingletonKey(job.chatbotId),
    ...(startAfterSeconds === undefined ? {} : { startAfter: startAfterSeconds }),
  });
}

/** A ChatBotCustomDomainDNS row as the provider's record set. */
export function dnsRecordOfRow(row: {
  recordName: string;
  recordType: string;
  recordValue: string;
  recordTtl: number;
}): DnsRecord {
  return {
    name: row.recordName,
    type: row.recordType as DnsRecord["type"],
    values: row.recordValue.split("\n"),
    ttl: row.recordTtl,
  };
}
