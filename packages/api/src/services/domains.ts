// domain.*: claiming a customer's domain (unique across the platform), showing the DNS
// instructions, verifying ownership through the DomainVerifier, and deleting it. Verification
// changes which custom hosts route, so it writes through for every attached chatbot.
import { randomBytes } from "node:crypto";
import { BotgateError, normalizeDomainName, platformReservedSuffixes } from "@botgate/core";
import type { ChatBotCustomDomain as DomainRow } from "@botgate/db";
import type { ApiServices } from "../context.ts";
import { type Page, toPage } from "../inputs/common.ts";
import { type OwnershipRecord, ownershipRecord } from "../provisioning/ownership-record.ts";
import type { DomainSubject, ProvisionedDomain } from "../provisioning/types.ts";
import type { Principal } from "./auth.ts";
import { recordEvents } from "./events.ts";
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
  // Claim first: the unique index decides between concurrent claims (the loser gets CONFLICT)
  // before anything is provisioned.
  const claimed = await services.db.chatBotCustomDomain.create({
    data: {
      domainName: normalized.value,
      verificationToken: randomBytes(16).toString("hex"),
      userProfileId: principal.userProfileId,
      accountId: principal.accountId,
    },
  });
  let provisioned: ProvisionedDomain;
  try {
    provisioned = await services.provisioning.domains.provision(subjectOf(claimed));
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
  const result = await services.provisioning.verifier.verify(subjectOf(domain));
  const attached = await attachedChatbots(services, id);
  const now = new Date();
  const row = await services.db.$transaction(async (tx) => {
    const updated = await tx.chatBotCustomDomain.update({
      where: { id },
      data: result.verified
        ? { isVerified: true, verifiedAt: now, lastCheckedAt: now, failureReason: null }
        : { isVerified: false, verifiedAt: null, lastCheckedAt: now, failureReason: result.reason },
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
  if (row.isVerified !== domain.isVerified) await publishRoutes(services, attached);
  return toDomainView(row);
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
  await services.provisioning.domains.release(subjectOf(domain));
  return { id };
}
