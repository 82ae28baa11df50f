// The deployment job of a chatbot's default host. Each run reads the chatbot, does the next
// steps that need no waiting and stops, re-scheduling itself (startAfter, with backoff) while
// the certificate is pending or DNS answers transiently. Every step is idempotent: UPSERTs,
// a certificate request with an IdempotencyToken derived from the chatbot, host and
// deployment, and state written only when the job's deployment is still current. So a run
// killed at any point simply runs again and creates nothing twice.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import {
  type ApiServices,
  applyDeploymentChange,
  buildRouteRecord,
  type DeploymentJob,
  dnsRecordOfRow,
  routeRowSelect,
} from "@botgate/api";
import type { CertificateState, DnsCheck, DnsRecord, Provisioning } from "@botgate/provisioning";

export interface DeployOptions {
  /** EDGE_TARGET: what default hosts point at; a hostname (CNAME) or an IP address (A/AAAA). */
  edgeTarget: string;
  /** The first re-check comes this late (seconds), doubling per attempt up to maxDelaySeconds. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** DNS answering wrong is re-checked this many times (propagation) before DNS is Failed. */
  mismatchRechecks: number;
  recordTtl: number;
}

export const DEFAULT_DEPLOY_OPTIONS: DeployOptions = {
  edgeTarget: "127.0.0.1",
  baseDelaySeconds: 0.5,
  maxDelaySeconds: 60,
  mismatchRechecks: 2,
  recordTtl: 300,
};

type DeployServices = Pick<ApiServices, "db" | "routes" | "config" | "logger" | "jobs" | "provisioning">;

/** The record set of a default host: CNAME to a hostname, A/AAAA to an address. */
export function hostRecord(
  host: string,
  options: Pick<DeployOptions, "edgeTarget" | "recordTtl">,
): DnsRecord {
  const family = isIP(options.edgeTarget);
  const type = family === 4 ? "A" : family === 6 ? "AAAA" : "CNAME";
  return { name: host, type, values: [options.edgeTarget], ttl: options.recordTtl };
}

/** ACM's IdempotencyToken (≤ 32 word characters): one certificate per chatbot, host and deployment. */
export function certificateToken(chatbotId: number, host: string, generation: number): string {
  return createHash("sha256").update(`${chatbotId}:${host}:${generation}`).digest("hex").slice(0, 32);
}

export function backoffSeconds(
  attempt: number,
  options: Pick<DeployOptions, "baseDelaySeconds" | "maxDelaySeconds">,
) {
  return Math.min(options.maxDelaySeconds, options.baseDelaySeconds * 2 ** Math.min(attempt, 20));
}

const FAILED_CERTIFICATE = new Set(["FAILED", "VALIDATION_TIMED_OUT", "REVOKED", "EXPIRED", "INACTIVE"]);

const deployRowSelect = {
  ...routeRowSelect,
  deploymentGeneration: true,
  certificateArn: true,
  subdomain: true,
} as const;

export function deploymentHandler(services: DeployServices, options: DeployOptions) {
  return async (data: DeploymentJob): Promise<void> => {
    if (data.action === "deploy") await deploy(services, options, data);
    else if (data.action === "undeploy") await undeploy(services, options, data);
    else await remove(services, options, data);
  };
}

async function deploy(
  services: DeployServices,
  options: DeployOptions,
  job: Extract<DeploymentJob, { action: "deploy" }>,
): Promise<void> {
  const { db, provisioning } = services;
  const row = await db.chatBot.findUnique({ where: { id: job.chatbotId }, select: deployRowSelect });
  // Undeployed, redeployed or deleted meanwhile: that change's own job takes over.
  if (!row?.deployed || row.deploymentGeneration !== job.generation) return;
  const host = buildRouteRecord(row, services.config).defaultHost;
  const zone = await provisioning.dns.platformZone();
  const record = hostRecord(host, options);
  const change = (c: Parameters<typeof applyDeploymentChange>[3]) =>
    applyDeploymentChange(services, row.id, job.generation, c);

  // 1. The default host's record, recorded in ChatBotCustomDomainDNS.
  const stored = row.subdomain ? dnsRecordOfRow(row.subdomain) : null;
  if (!stored || !sameRecord(stored, record) || row.subdomain?.hostedZoneId !== zone.id) {
    // A rename (or a new edge target) leaves the old record behind otherwise.
    if (stored && row.subdomain?.hostedZoneId) {
      if (stored.name !== record.name || stored.type !== record.type)
        await provisioning.dns.deleteRecords(row.subdomain.hostedZoneId, [stored]);
    }
    await provisioning.dns.upsertRecords(zone.id, [record]);
    if (!(await storeHostRecord(services, row.id, zone.id, record))) {
      // Deleted meanwhile: its cleanup job may already have run, so undo our own write.
      await provisioning.dns.deleteRecords(zone.id, [record]);
      return;
    }
  }

  // 2. The certificate: requested once per deployment, its validation records written.
  let arn = row.certificateArn;
  let certificate = arn ? await provisioning.certificates.describe(arn) : null;
  const wrongHost = certificate !== null && !coversHost(certificate, host);
  const failedBefore =
    certificate !== null &&
    FAILED_CERTIFICATE.has(certificate.status) &&
    row.tlsCertificateIssuanceStatus !== "Failed";
  if (arn && certificate && (wrongHost || failedBefore)) {
    // Another host's certificate (renamed) or one that failed an earlier deployment: replace it.
    await deleteCertificate(provisioning, zone.id, arn);
    await db.chatBot.updateMany({
      where: { id: row.id, certificateArn: arn },
      data: { certificateArn: null },
    });
    certificate = null;
  }
  if (!certificate) {
    arn = await provisioning.certificates.request({
      domainName: host,
      subjectAlternativeNames: [],
      idempotencyToken: certificateToken(row.id, host, job.generation),
    });
    // Stored whatever the deployment's state: undeploy keeps it, delete's job removes it.
    const { count } = await db.chatBot.updateMany({ where: { id: row.id }, data: { certificateArn: arn } });
    if (count === 0) {
      await deleteCertificate(provisioning, zone.id, arn);
      return;
    }
    if (!(await change({ tls: "Requested", certificateFailureReason: null }))) return;
    certificate = await provisioning.certificates.describe(arn);
    if (!certificate) throw new Error(`certificate ${arn} vanished right after its request`);
  }
  if (!arn) throw new Error("unreachable: a certificate without an ARN");
  if (certificate.validationRecords.length > 0) {
    await provisioning.dns.upsertRecords(zone.id, certificate.validationRecords);
  }
  if (certificate.status === "PENDING_VALIDATION") {
    await reschedule(services, options, job, { tls: "Requested" });
    return;
  }
  if (FAILED_CERTIFICATE.has(certificate.status)) {
    const reason = certificate.failureReason ?? `The certificate authority answered ${certificate.status}.`;
    // DNS is not checked for a host that cannot serve TLS: it stays unverified.
    await change({
      tls: "Failed",
      dns: "Not Verified",
      certificateFailureReason: reason,
      nextCheckAt: null,
      reason,
    });
    return;
  }
  if (!(await change({ tls: "Issued", certificateFailureReason: null }))) return;

  // 3. DNS: does the world resolve the host to the edge?
  if (row.dnsVerificationStatus === "Verified") {
    await change({ nextCheckAt: null });
    return;
  }
  const check = await provisioning.checker.check({
    name: record.name,
    type: record.type,
    values: record.values,
  });
  const lastCheck = checkJson(check);
  if (check.outcome === "match") {
    await change({ dns: "Verified", lastCheck, nextCheckAt: null });
    return;
  }
  if (check.outcome === "mismatch" && job.mismatches >= options.mismatchRechecks) {
    await change({
      dns: "Failed",
      lastCheck,
      nextCheckAt: null,
      reason: check.reason ?? "DNS answers wrong",
    });
    return;
  }
  // Transient answers are retried for as long as it takes; a mismatch a few times (propagation).
  await reschedule(services, options, job, { lastCheck }, check.outcome === "mismatch" ? 1 : 0);
}

async function reschedule(
  services: DeployServices,
  options: DeployOptions,
  job: Extract<DeploymentJob, { action: "deploy" }>,
  state: Parameters<typeof applyDeploymentChange>[3],
  mismatch = 0,
): Promise<void> {
  const delay = backoffSeconds(job.attempt, options);
  await applyDeploymentChange(services, job.chatbotId, job.generation, {
    ...state,
    nextCheckAt: new Date(Date.now() + delay * 1000),
    next: {
      job: { ...job, attempt: job.attempt + 1, mismatches: job.mismatches + mismatch },
      startAfterSeconds: delay,
    },
  });
}

async function undeploy(
  services: DeployServices,
  _options: DeployOptions,
  job: Extract<DeploymentJob, { action: "undeploy" }>,
): Promise<void> {
  const row = await services.db.chatBot.findUnique({
    where: { id: job.chatbotId },
    select: { deployed: true, deploymentGeneration: true, subdomain: true },
  });
  // Deleted (its cleanup job removes everything) or redeployed (the record stays).
  if (!row || row.deployed || row.deploymentGeneration !== job.generation || !row.subdomain) return;
  const subdomain = row.subdomain;
  if (subdomain.hostedZoneId) {
    await services.provisioning.dns.deleteRecords(subdomain.hostedZoneId, [dnsRecordOfRow(subdomain)]);
  }
  // The chatbot's subdomainId goes to null with the row (ON DELETE SET NULL). The certificate is
  // kept: a redeploy needs no new issuance, and it is no takeover risk without the record.
  await services.db.chatBotCustomDomainDNS.deleteMany({ where: { id: subdomain.id } });
}

async function remove(
  services: DeployServices,
  options: DeployOptions,
  job: Extract<DeploymentJob, { action: "delete" }>,
): Promise<void> {
  const zone = await services.provisioning.dns.platformZone();
  for (const arn of job.certificateArns) await deleteCertificate(services.provisioning, zone.id, arn);
  await services.provisioning.dns.deleteRecords(zone.id, [
    ...job.records,
    ...job.hosts.map((host) => hostRecord(host, options)),
  ]);
}

/** The certificate and the validation records written for it. Absent ones are not an error. */
async function deleteCertificate(provisioning: Provisioning, zoneId: string, arn: string): Promise<void> {
  const certificate = await provisioning.certificates.describe(arn);
  if (certificate && certificate.validationRecords.length > 0) {
    await provisioning.dns.deleteRecords(zoneId, certificate.validationRecords);
  }
  await provisioning.certificates.delete(arn);
}

/** Writes the record's row and links the chatbot to it; false when the chatbot is gone. */
async function storeHostRecord(
  services: DeployServices,
  chatbotId: number,
  zoneId: string,
  record: DnsRecord,
): Promise<boolean> {
  return services.db.$transaction(async (tx) => {
    const columns = {
      hostedZoneId: zoneId,
      recordName: record.name,
      recordType: record.type,
      recordValue: record.values.join("\n"),
      recordTtl: record.ttl,
    };
    const existing = await tx.chatBotCustomDomainDNS.findFirst({
      where: { recordName: record.name, recordType: record.type, customDomainId: null },
      select: { id: true },
    });
    const row = existing
      ? await tx.chatBotCustomDomainDNS.update({ where: { id: existing.id }, data: columns })
      : await tx.chatBotCustomDomainDNS.create({ data: columns });
    const { count } = await tx.chatBot.updateMany({
      where: { id: chatbotId },
      data: { subdomainId: row.id },
    });
    if (count === 0) await tx.chatBotCustomDomainDNS.delete({ where: { id: row.id } });
    return count === 1;
  });
}

function sameRecord(a: DnsRecord, b: DnsRecord): boolean {
  return (
    a.name === b.name && a.type === b.type && a.ttl === b.ttl && a.values.join("\n") === b.values.join("\n")
  );
}

function coversHost(certificate: CertificateState, host: string): boolean {
  return certificate.domainName === host || certificate.subjectAlternativeNames.includes(host);
}

function checkJson(check: DnsCheck) {
  return JSON.parse(JSON.stringify(check)) as { [key: string]: string };
}
