// domain.*: claiming a customer's domain, showing the DNS instructions, verifying ownership
// through the DomainVerifier, and deleting it. A claim proves nothing, so it blocks no one:
// several accounts may hold pending claims of one name, each with its own token; the first to
// verify wins (a partial unique index on verified names decides) and unverified claims lapse
// after DOMAIN_CLAIM_TTL_HOURS. Verification changes which custom hosts route, so it writes
// through for every attached chatbot.
import { randomBytes } from "node:crypto";
import { BotgateError, normalizeDomainName, platformReservedSuffixes } from "@botgate/core";
import type { ChatBotCustomDomain as DomainRow, Prisma } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { uniqueViolationIndex } from "../errors.ts";
import { type Page, toPage } from "../inputs/common.ts";
import { provisionDomain, releaseDomain, verifyOwnership } from "../provisioning/domain-seams.ts";
import { type OwnershipRecord, ownershipRecord } from "../provisioning/ownership-record.ts";
import type { DomainSubject, ProvisionedDomain } from "../provisioning/types.ts";
import type { Principal } from "./auth.ts";
import { recordEvents } from "./events.ts";
import { CUSTOM_HOST_INDEX } from "./host-names.ts";
import {
  publishRoutes,
  type RoutingChange,
  routeRowSelect,
  routeTargetsOfRow,
  touchChatbots,
} from "./routing.ts";
import { domainScope, notFound } from "./scope.ts";

export interface DnsInstructions {
  /** Delegate the domain to these name servers. */
  nameServers: string[];
  /** Publish this record to prove ownership, then call domain.verify. */
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
}

function toDomainView(row: DomainRow): DomainView {
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
  };
}

function subjectOf(row: DomainRow): DomainSubject {
  return {
    domainName: row.domainName,
    verificationToken: row.verificationToken,
    hostedZoneId: row.awsHostedZoneId,
  };
}

/** How long an unverified claim lives when DOMAIN_CLAIM_TTL_HOURS is not configured. */
export const DEFAULT_DOMAIN_CLAIM_TTL_HOURS = 72;

const VERIFIED_DOMAIN_INDEX = "ChatBotCustomDomain_verified_domainName_key";

function claimExpiry(services: ApiServices, now: Date): Date {
  const hours = services.domainClaimTtlHours ?? DEFAULT_DOMAIN_CLAIM_TTL_HOURS;
  return new Date(now.getTime() + hours * 3_600_000);
}

function verifiedElsewhere(domainName: string): BotgateError {
  const message = `${domainName} is verified by another account.`;
  return new BotgateError("CONFLICT", message, { fieldErrors: { domainName: [message] } });
}

async function isVerifiedElsewhere(services: ApiServices, domainName: string, exceptId?: number) {
  const row = await services.db.chatBotCustomDomain.findFirst({
    where: { domainName, isVerified: true, ...(exceptId === undefined ? {} : { NOT: { id: exceptId } }) },
    select: { id: true },
  });
  return row !== null;
}

/**
 * Deletes the unverified claims (among `where`) whose time is up, detaching any chatbot from
 * them first and releasing what provisioning created. domain.create and domain.list call it
 * for what they touch; a periodic job calls cleanupExpiredDomainClaims() for everything.
 */
export async function deleteExpiredDomainClaims(
  services: ApiServices,
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
      await tx.chatBot.updateMany({ where: { customDomainId: claim.id }, data: { customDomainId: null } });
      await tx.chatBotCustomDomain.delete({ where: { id: claim.id } });
      await recordEvents(tx, claim.accountId, [
        { type: "domain.expired", customDomainId: claim.id, data: { domainName: claim.domainName } },
      ]);
      return true;
    });
    if (!gone) continue;
    deleted++;
    await releaseDomain(services.provisioning, subjectOf(claim));
  }
  return deleted;
}

/** Every expired claim on the platform: for a periodic job. */
export function cleanupExpiredDomainClaims(services: ApiServices, now = new Date()): Promise<number> {
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
  // Claim first: the (account, name) unique index refuses a second claim of this account
  // before anything is provisioned.
  const claimed = await services.db.chatBotCustomDomain.create({
    data: {
      domainName,
      verificationToken: randomBytes(16).toString("hex"),
      claimExpiresAt: claimExpiry(services, now),
      userProfileId: principal.userProfileId,
      accountId: principal.accountId,
    },
  });
  let provisioned: ProvisionedDomain;
  try {
    provisioned = await provisionDomain(services.provisioning, subjectOf(claimed));
  } catch (error) {
    await services.db.chatBotCustomDomain.delete({ where: { id: claimed.id } });
    throw error;
  }
  const row = await services.db.$transaction(async (tx) => {
    const updated = await tx.chatBotCustomDomain.update({
      where: { id: claimed.id },
      data: { nameServers: provisioned.nameServers, awsHostedZoneId: provisioned.hostedZoneId },
    });
    await recordEvents(tx, principal.accountId, [
      { type: "domain.created", customDomainId: updated.id, data: { domainName: updated.domainName } },
    ]);
    return updated;
  });
  return toDomainView(row);
}

/** The attached chatbots' targets before a change to the domain, for stale-key deletion. */
async function attachedChatbots(services: ApiServices, domainId: number): Promise<RoutingChange[]> {
  const rows = await services.db.chatBot.findMany({
    where: { customDomainId: domainId },
    select: routeRowSelect,
  });
  return rows.map((row) => ({ chatbotId: row.id, previousTargets: routeTargetsOfRow(row, services.config) }));
}

export async function verifyDomain(
  services: ApiServices,
  principal: Principal,
  id: number,
): Promise<DomainView> {
  const domain = await findDomain(services, principal, id);
  if (await isVerifiedElsewhere(services, domain.domainName, id)) throw verifiedElsewhere(domain.domainName);
  const result = await verifyOwnership(services.provisioning, subjectOf(domain));
  const attached = await attachedChatbots(services, id);
  const now = new Date();
  let row: DomainRow;
  try {
    row = await services.db.$transaction(async (tx) => {
      // Verifying fills the attached chatbots' customHost (a trigger) and the unique indexes
      // decide: a name another account verified meanwhile, or a host another chatbot has.
      const updated = await tx.chatBotCustomDomain.update({
        where: { id },
        data: result.verified
          ? {
              isVerified: true,
              verifiedAt: now,
              lastCheckedAt: now,
              failureReason: null,
              claimExpiresAt: null,
            }
          : {
              isVerified: false,
              verifiedAt: null,
              lastCheckedAt: now,
              failureReason: result.reason,
              // A domain that stops verifying is a claim again, with a claim's lifetime.
              claimExpiresAt: domain.isVerified ? claimExpiry(services, now) : domain.claimExpiresAt,
            },
      });
      if (updated.isVerified !== domain.isVerified) await touchChatbots(tx, { customDomainId: id });
      await recordEvents(tx, principal.accountId, [
        result.verified
          ? { type: "domain.verified", customDomainId: id, data: { domainName: domain.domainName } }
          : {
              type: "domain.verification_failed",
              customDomainId: id,
              data: { domainName: domain.domainName, reason: result.reason },
            },
      ]);
      return updated;
    });
  } catch (error) {
    const index = uniqueViolationIndex(error);
    if (index === VERIFIED_DOMAIN_INDEX) throw verifiedElsewhere(domain.domainName);
    if (index === CUSTOM_HOST_INDEX) throw await refuseHostClash(services, principal, domain, now);
    throw error;
  }
  if (row.isVerified !== domain.isVerified) await publishRoutes(services, attached);
  return toDomainView(row);
}

/**
 * Verification would give an attached chatbot a custom host another chatbot already has
 * (overlapping domains: `bob` on alice.example.com and `bob.alice` on example.com). The domain
 * stays unverified, so nothing routes two chatbots to one host; the reason, kept on the
 * domain and answered as CONFLICT, names the host and what to do.
 */
async function refuseHostClash(
  services: ApiServices,
  principal: Principal,
  domain: DomainRow,
  now: Date,
): Promise<BotgateError> {
  const labels = await services.db.chatBot.findMany({
    where: { customDomainId: domain.id, hostLabel: { not: null } },
    select: { hostLabel: true },
  });
  const taken = await services.db.chatBot.findFirst({
    where: { customHost: { in: labels.map((l) => `${l.hostLabel}.${domain.domainName}`) } },
    select: { customHost: true },
  });
  const host = taken?.customHost ?? `*.${domain.domainName}`;
  const reason =
    `The DNS records are right, but ${host} already belongs to another chatbot: rename or ` +
    `detach this domain's chatbot that would answer there, then verify again.`;
  await services.db.$transaction(async (tx) => {
    await tx.chatBotCustomDomain.update({
      where: { id: domain.id },
      data: { lastCheckedAt: now, failureReason: reason },
    });
    await recordEvents(tx, principal.accountId, [
      {
        type: "domain.verification_failed",
        customDomainId: domain.id,
        data: { domainName: domain.domainName, reason, host },
      },
    ]);
  });
  return new BotgateError("CONFLICT", reason, { host });
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
    await tx.chatBotCustomDomain.delete({ where: { id } });
    await recordEvents(tx, principal.accountId, [
      { type: "domain.deleted", customDomainId: id, data: { domainName: domain.domainName } },
    ]);
  });
  await publishRoutes(services, attached);
  await releaseDomain(services.provisioning, subjectOf(domain));
  return { id };
}
