// domain.*: claiming a customer's domain, showing the DNS instructions and diagnostics,
// queueing verification, and deleting it. The work that talks to DNS and the certificate
// authority runs in jobs (packages/jobs/src/domains), enqueued in the transaction of the change
// that causes it. A claim proves nothing, so it blocks no one: several accounts may hold
// pending claims of one name, each with its own token; the first to verify wins (a partial
// unique index on verified names decides) and unverified claims lapse after
// DOMAIN_CLAIM_TTL_HOURS.
import { randomBytes } from "node:crypto";
import { BotgateError, normalizeDomainName, platformReservedSuffixes } from "@botgate/core";
import type { ChatBotCustomDomain as DomainRow, Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { type Page, toPage } from "../inputs/common.ts";
import { type OwnershipRecord, ownershipRecord } from "../provisioning/ownership-record.ts";
import type { Principal } from "./auth.ts";
import { type DomainDiagnostics, diagnosticsOf } from "./domain-diagnostics.ts";
import { DOMAIN_JOBS, type DomainRemovalData, domainSingletonKey } from "./domain-jobs.ts";
import { recordEvents } from "./events.ts";
import { publishRoutes, type RoutingChange, routeRowSelect, routeTargetsOfRow } from "./routing.ts";
import { domainScope, notFound } from "./scope.ts";
import { invalidateVerifiedDomains } from "./verified-domains.ts";

export interface DnsInstructions {
  /** Delegate the domain to these name servers (NS records at your DNS provider or registrar). */
  nameServers: string[];
  /**
   * The ownership record: served by the zone the platform hosts for this claim, so it answers
   * once delegation is in place (and tells this claim apart from anyone else's).
   */
  txtRecord: OwnershipRecord;
}

export interface DomainView {
  id: number;
  createdAt: Date;
  updatedAt: Date;
  domainName: string;
  isVerified: boolean;
  verifiedAt: Date | null;
  lastCheckedAt: Date | null;
  failureReason: string | null;
  /** When this claim lapses unless verified first; null while verified. */
  claimExpiresAt: Date | null;
  owner: { userProfileId: number };
  instructions: DnsInstructions;
  status: DomainDiagnostics["status"];
  /** Where the statuses came from: "local" (embedded) or "aws"; null until provisioned. */
  provisioning: DomainDiagnostics["provisioning"];
  diagnostics: DomainDiagnostics;
}

export function toDomainView(row: DomainRow): DomainView {
  const diagnostics = diagnosticsOf(row);
  return {
    id: row.id,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    domainName: row.domainName,
    isVerified: row.isVerified,
    verifiedAt: row.verifiedAt,
    lastCheckedAt: row.lastCheckedAt,
    failureReason: row.failureReason,
    claimExpiresAt: row.claimExpiresAt,
    owner: { userProfileId: row.userProfileId },
    instructions: {
      nameServers: row.nameServers,
      txtRecord: ownershipRecord(row.domainName, row.verificationToken),
    },
    status: diagnostics.status,
    provisioning: diagnostics.provisioning,
    diagnostics,
  };
}

/** How long an unverified claim lives when DOMAIN_CLAIM_TTL_HOURS is not configured. */
export const DEFAULT_DOMAIN_CLAIM_TTL_HOURS = 72;

export function claimExpiry(services: Pick<ApiServices, "domainClaimTtlHours">, now: Date): Date {
  const hours = services.domainClaimTtlHours ?? DEFAULT_DOMAIN_CLAIM_TTL_HOURS;
  return new Date(now.getTime() + hours * 3_600_000);
}

export function verifiedElsewhere(domainName: string): BotgateError {
  const message = `${domainName} is verified by another account.`;
  return new BotgateError("CONFLICT", message, { fieldErrors: { domainName: [message] } });
}

export async function isVerifiedElsewhere(
  services: Pick<ApiServices, "db">,
  domainName: string,
  exceptId?: number,
) {
  const row = await services.db.chatBotCustomDomain.findFirst({
    where: { domainName, isVerified: true, ...(exceptId === undefined ? {} : { NOT: { id: exceptId } }) },
    select: { id: true },
  });
  return row !== null;
}

/** What the removal job needs once the row is gone: nothing the domain created may dangle. */
function removalOf(row: DomainRow): DomainRemovalData {
  return {
    domainName: row.domainName,
    hostedZoneId: row.awsHostedZoneId,
    certificateArn: row.certificateArn,
  };
}

/**
 * Deletes the unverified claims (among `where`) whose time is up, detaching any chatbot from
 * them first; each deletion enqueues the removal of its zone and certificate in the same
 * transaction. domain.create and domain.list call it for what they touch; the periodic
 * cleanup job calls cleanupExpiredDomainClaims() for everything.
 */
export async function deleteExpiredDomainClaims(
  services: Pick<ApiServices, "db" | "jobs">,
  where: Prisma.ChatBotCustomDomainWhereInput = {},
  now = new Date(),
): Promise<number> {
  const lapsed = { isVerified: false, claimExpiresAt: { lte: now } } as const;
  const expired = await services.db.chatBotCustomDomain.findMany({ where: { ...where, ...lapsed } });
  let deleted = 0;
  for (const claim of expired) {
    const gone = await services.db.$transaction(async (tx) => {
      // Locks the claim and re-checks it: a verification that got there first keeps it.
      const { count } = await tx.chatBotCustomDomain.updateMany({
        where: { id: claim.id, ...lapsed },
        data: { updatedAt: now },
      });
      if (count === 0) return false;
      const locked = await tx.chatBotCustomDomain.findUniqueOrThrow({ where: { id: claim.id } });
      await tx.chatBot.updateMany({ where: { customDomainId: claim.id }, data: { customDomainId: null } });
      await tx.chatBotCustomDomain.delete({ where: { id: claim.id } });
      await services.jobs.enqueue(tx, { name: DOMAIN_JOBS.remove, data: removalOf(locked) });
      await recordEvents(tx, claim.accountId, [
        { type: "domain.expired", customDomainId: claim.id, data: { domainName: claim.domainName } },
      ]);
      return true;
    });
    if (gone) deleted++;
  }
  return deleted;
}

/** Every expired claim on the platform: for the periodic cleanup job. */
export function cleanupExpiredDomainClaims(
  services: Pick<ApiServices, "db" | "jobs">,
  now = new Date(),
): Promise<number> {
  return deleteExpiredDomainClaims(services, {}, now);
}

async function findDomain(services: ApiServices, principal: Principal, id: number): Promise<DomainRow> {
  const row = await services.db.chatBotCustomDomain.findFirst({ where: { id, ...domainScope(principal) } });
  if (!row) throw notFound("custom domain", id);
  return row;
}

export async function listDomains(
  services: ApiServices,
  principal: Principal,
  input: { cursor?: number | undefined; limit: number },
): Promise<Page<DomainView>> {
  await deleteExpiredDomainClaims(services, { accountId: principal.accountId });
  const rows = await services.db.chatBotCustomDomain.findMany({
    where: { ...domainScope(principal), ...(input.cursor === undefined ? {} : { id: { gt: input.cursor } }) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
  });
  return toPage(rows, input.limit, toDomainView);
}

export async function getDomain(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<DomainView> {
  return toDomainView(await findDomain(services, principal, id));
}

export async function createDomain(
  services: ApiServices,
  principal: Principal,
  input: { domainName: string },
): Promise<DomainView> {
  const normalized = normalizeDomainName(input.domainName, {
    reservedSuffixes: platformReservedSuffixes(services.config),
  });
  if (!normalized.ok) {
    const { message } = normalized.error;
    throw new BotgateError("BAD_REQUEST", message, { fieldErrors: { domainName: [message] } });
  }
  const domainName = normalized.value;
  const now = new Date();
  // An expired claim is gone, this account's own included (it may claim the name again).
  await deleteExpiredDomainClaims(services, { domainName }, now);
  // Only a verified domain blocks a claim (SPEC §7: CONFLICT), which public DNS shows anyway;
  // a name pending elsewhere answers exactly like a fresh one.
  if (await isVerifiedElsewhere(services, domainName)) throw verifiedElsewhere(domainName);
  // The (account, name) unique index refuses a second claim of this account; the zone is
  // created by the provision job, enqueued with the claim (never one without the other).
  const row = await services.db.$transaction(async (tx) => {
    const claimed = await tx.chatBotCustomDomain.create({
      data: {
        domainName,
        // Random once, here: every retry of the provision job publishes this same token.
        verificationToken: randomBytes(16).toString("hex"),
        claimExpiresAt: claimExpiry(services, now),
        userProfileId: principal.userProfileId,
        accountId: principal.accountId,
        verificationStatus: "Provisioning",
      },
    });
    await services.jobs.enqueue(tx, {
      name: DOMAIN_JOBS.provision,
      data: { domainId: claimed.id },
      singletonKey: domainSingletonKey(claimed.id),
    });
    await recordEvents(tx, principal.accountId, [
      {
        type: "domain.created",
        customDomainId: claimed.id,
        data: { domainName, to: "Provisioning" },
      },
    ]);
    return claimed;
  });
  return toDomainView(row);
}

/**
 * Queues a check of the domain now and answers at once with the in-progress state; the
 * diagnostics fill in as the verify job runs. A failed certificate starts over.
 */
export async function verifyDomain(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<DomainView> {
  const domain = await findDomain(services, principal, id);
  if (await isVerifiedElsewhere(services, domain.domainName, id)) throw verifiedElsewhere(domain.domainName);
  const now = new Date();
  const row = await services.db.$transaction(async (tx) => {
    const restart = domain.verificationStatus === "Failed";
    const updated = await tx.chatBotCustomDomain.update({
      where: { id },
      data: {
        nextCheckAt: now,
        checkStreak: 0,
        ...(restart
          ? { verificationStatus: "AwaitingDns", certificateArn: null, certificateStatus: null }
          : {}),
      },
    });
    if (restart) {
      await recordEvents(tx, principal.accountId, [
        { type: "domain.status_changed", customDomainId: id, data: { from: "Failed", to: "AwaitingDns" } },
      ]);
    }
    await services.jobs.enqueue(tx, {
      name: DOMAIN_JOBS.verify,
      data: { domainId: id },
      singletonKey: domainSingletonKey(id),
    });
    return updated;
  });
  return toDomainView(row);
}

/** The attached chatbots' targets before a change to the domain, for stale-key deletion. */
export async function attachedChatbots(
  services: Pick<ApiServices, "db" | "config">,
  domainId: number,
): Promise<RoutingChange[]> {
  const rows = await services.db.chatBot.findMany({
    where: { customDomainId: domainId },
    select: routeRowSelect,
  });
  return rows.map((row) => ({ chatbotId: row.id, previousTargets: routeTargetsOfRow(row, services.config) }));
}

export async function deleteDomain(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<{ id: number }> {
  const domain = await findDomain(services, principal, id);
  const attached = await attachedChatbots(services, id);
  await services.db.$transaction(async (tx) => {
    // The foreign key is RESTRICT (SET NULL would clear accountId too): detach first.
    await tx.chatBot.updateMany({ where: { customDomainId: id }, data: { customDomainId: null } });
    const locked = await tx.chatBotCustomDomain.delete({ where: { id } });
    // The zone (with every record in it) and the certificate go with the row: nothing left
    // behind that someone else could take over.
    await services.jobs.enqueue(tx, { name: DOMAIN_JOBS.remove, data: removalOf(locked) });
    await recordEvents(tx, principal.accountId, [
      {
        type: "domain.deleted",
        customDomainId: id,
        data: { domainName: domain.domainName, from: domain.verificationStatus, to: "Deleted" },
      },
    ]);
  });
  await publishRoutes(services, attached);
  if (domain.isVerified) await invalidateVerifiedDomains(services);
  return { id };
}
