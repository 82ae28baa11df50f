// The custom-domain state changes that move routing, for the verify job (packages/jobs):
// verified (first verified claim wins: the partial unique index decides) and unverified
// (DNS moved away past the grace period). Each commits the row, the attached chatbots' new
// version and its event together, then writes routing through and invalidates the cached
// set of verified domains.
import { nextCheckAt } from "@botgate/core";
import type { ApiServices } from "../context.ts";
import { uniqueViolationIndex } from "../errors.ts";
import { attachedChatbots, claimExpiry } from "./domains.ts";
import { recordEvents } from "./events.ts";
import { CUSTOM_HOST_INDEX } from "./host-names.ts";
import { publishRoutes, touchChatbots } from "./routing.ts";
import { invalidateVerifiedDomains } from "./verified-domains.ts";

const VERIFIED_DOMAIN_INDEX = "ChatBotCustomDomain_verified_domainName_key";

export type TransitionServices = Pick<
  ApiServices,
  "db" | "routes" | "config" | "logger" | "verifiedDomains" | "domainClaimTtlHours"
>;

export type VerifyOutcome = "verified" | "verified_elsewhere" | "host_taken" | "stale";

/** The certificate is issued and DNS is right: the domain becomes verified, if it still can. */
export async function markDomainVerified(
  services: TransitionServices,
  domainId: number,
  now = new Date(),
): Promise<VerifyOutcome> {
  const attached = await attachedChatbots(services, domainId);
  let outcome: VerifyOutcome;
  try {
    outcome = await services.db.$transaction(async (tx) => {
      // Verifying fills the attached chatbots' customHost (a trigger) and the unique indexes
      // decide: a name another account verified meanwhile, or a host another chatbot has.
      const { count } = await tx.chatBotCustomDomain.updateMany({
        where: { id: domainId, verificationStatus: "IssuingCertificate" },
        data: {
          isVerified: true,
          verifiedAt: now,
          claimExpiresAt: null,
          verificationStatus: "Verified",
          certificateStatus: "ISSUED",
          failureReason: null,
          failingSince: null,
          checkStreak: 0,
          nextCheckAt: nextCheckAt(now, 0),
        },
      });
      if (count === 0) return "stale";
      const row = await tx.chatBotCustomDomain.findUniqueOrThrow({ where: { id: domainId } });
      await touchChatbots(tx, { customDomainId: domainId });
      await recordEvents(tx, row.accountId, [
        {
          type: "domain.verified",
          customDomainId: domainId,
          data: { domainName: row.domainName, from: "IssuingCertificate", to: "Verified" },
        },
      ]);
      return "verified";
    });
  } catch (error) {
    const index = uniqueViolationIndex(error);
    if (index === VERIFIED_DOMAIN_INDEX) {
      await refuse(services, domainId, now, "verified_elsewhere");
      return "verified_elsewhere";
    }
    if (index === CUSTOM_HOST_INDEX) {
      await refuse(services, domainId, now, "host_taken");
      return "host_taken";
    }
    throw error;
  }
  if (outcome === "verified") {
    await publishRoutes(services, attached);
    await invalidateVerifiedDomains(services);
  }
  return outcome;
}

/** Back to waiting for DNS, with a reason the customer can act on. */
async function refuse(
  services: TransitionServices,
  domainId: number,
  now: Date,
  why: "verified_elsewhere" | "host_taken",
): Promise<void> {
  const domain = await services.db.chatBotCustomDomain.findUnique({ where: { id: domainId } });
  if (!domain) return;
  let reason: string;
  if (why === "verified_elsewhere") {
    reason = `${domain.domainName} is verified by another account: the first verified claim wins.`;
  } else {
    const labels = await services.db.chatBot.findMany({
      where: { customDomainId: domainId, hostLabel: { not: null } },
      select: { hostLabel: true },
    });
    const taken = await services.db.chatBot.findFirst({
      where: { customHost: { in: labels.map((l) => `${l.hostLabel}.${domain.domainName}`) } },
      select: { customHost: true },
    });
    const host = taken?.customHost ?? `*.${domain.domainName}`;
    reason =
      `The DNS records are right, but ${host} already belongs to another chatbot: rename or ` +
      `detach this domain's chatbot that would answer there, then verify again.`;
  }
  await services.db.$transaction(async (tx) => {
    await tx.chatBotCustomDomain.update({
      where: { id: domainId },
      data: {
        verificationStatus: "AwaitingDns",
        failureReason: reason,
        lastCheckedAt: now,
        // Nothing the customer's DNS does changes this soon: look again in an hour.
        checkStreak: 1_000,
        nextCheckAt: nextCheckAt(now, 1_000),
      },
    });
    await recordEvents(tx, domain.accountId, [
      {
        type: "domain.verification_failed",
        customDomainId: domainId,
        data: { domainName: domain.domainName, from: domain.verificationStatus, to: "AwaitingDns", reason },
      },
    ]);
  });
}

/**
 * A verified domain whose DNS stayed away past the grace period: its chatbots stop answering
 * on it and it is a claim again (checked on the claim's schedule, lapsing after its lifetime).
 */
export async function unverifyDomain(
  services: TransitionServices,
  domainId: number,
  reason: string,
  now = new Date(),
): Promise<boolean> {
  const attached = await attachedChatbots(services, domainId);
  const done = await services.db.$transaction(async (tx) => {
    const { count } = await tx.chatBotCustomDomain.updateMany({
      where: { id: domainId, verificationStatus: "Failing" },
      data: {
        isVerified: false,
        verifiedAt: null,
        verificationStatus: "AwaitingDns",
        claimExpiresAt: claimExpiry(services, now),
        failingSince: null,
        failureReason: reason,
        checkStreak: 0,
        nextCheckAt: nextCheckAt(now, 0),
      },
    });
    if (count === 0) return false;
    const row = await tx.chatBotCustomDomain.findUniqueOrThrow({ where: { id: domainId } });
    await touchChatbots(tx, { customDomainId: domainId });
    await recordEvents(tx, row.accountId, [
      {
        type: "domain.unverified",
        customDomainId: domainId,
        data: { domainName: row.domainName, from: "Failing", to: "AwaitingDns", reason },
      },
    ]);
    return true;
  });
  if (done) {
    await publishRoutes(services, attached);
    await invalidateVerifiedDomains(services);
  }
  return done;
}
