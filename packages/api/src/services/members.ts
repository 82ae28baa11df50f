// account.members.*: an account admin lists the account's members and removes one. Removal
// deletes the membership (UserProfile) and with it every admin token of that member, so
// their tokens stop working at once; the User stays (it may belong to other accounts).
// Refused, with CONFLICT, for the account's last admin and for a member who still owns
// chatbots or custom domains: ownership decides a chatbot's default host, so moving it is a
// decision of its own; delete them (or keep the member) first.
import { BotgateError } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import { type Page, toPage } from "../inputs/common.ts";
import { findMember } from "./accounts.ts";
import type { Principal } from "./auth.ts";
import { recordEvents } from "./events.ts";
import { notFound } from "./scope.ts";

export interface MemberView {
  userProfileId: number;
  userId: number;
  username: string;
  isAccountAdmin: boolean;
  createdAt: Date;
  chatbots: number;
  activeTokens: number;
}

export async function listMembers(
  db: DatabaseClient,
  principal: Principal,
  input: { cursor?: number | undefined; limit: number },
): Promise<Page<MemberView>> {
  const now = new Date();
  const rows = await db.userProfile.findMany({
    where: {
      accountId: principal.accountId,
      ...(input.cursor === undefined ? {} : { id: { gt: input.cursor } }),
    },
    orderBy: { id: "asc" },
    take: input.limit + 1,
    select: {
      id: true,
      isAccountAdmin: true,
      createdAt: true,
      user: { select: { id: true, username: true } },
      _count: {
        select: {
          chatbots: true,
          adminTokens: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } },
        },
      },
    },
  });
  return toPage(rows, input.limit, (row) => ({
    userProfileId: row.id,
    userId: row.user.id,
    username: row.user.username,
    isAccountAdmin: row.isAccountAdmin,
    createdAt: row.createdAt,
    chatbots: row._count.chatbots,
    activeTokens: row._count.adminTokens,
  }));
}

export interface RemovedMember {
  userProfileId: number;
  username: string;
  /** Tokens that stopped working with the membership. */
  revokedTokens: number;
}

/**
 * Removes a membership of `accountId`. The account row is locked first, so two admins
 * removing each other at once cannot both succeed and leave the account without an admin.
 */
export async function removeMember(
  db: DatabaseClient,
  input: { accountId: number; userProfileId: number; removedBy: number | null },
): Promise<RemovedMember> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Account" WHERE id = ${input.accountId} FOR UPDATE`;
    const profile = await tx.userProfile.findFirst({
      where: { id: input.userProfileId, accountId: input.accountId },
      select: {
        id: true,
        isAccountAdmin: true,
        user: { select: { username: true } },
        _count: {
          select: { chatbots: true, customDomains: true, adminTokens: { where: { revokedAt: null } } },
        },
      },
    });
    if (profile === null) throw notFound("member", input.userProfileId);
    if (profile.isAccountAdmin) {
      const admins = await tx.userProfile.count({
        where: { accountId: input.accountId, isAccountAdmin: true },
      });
      if (admins <= 1) throw new BotgateError("CONFLICT", "The account's last admin cannot be removed.");
    }
    const { chatbots, customDomains, adminTokens } = profile._count;
    if (chatbots > 0 || customDomains > 0) {
      throw new BotgateError(
        "CONFLICT",
        `${profile.user.username} still owns ${chatbots} chatbot(s) and ${customDomains} custom domain(s); delete them first.`,
        { chatbots, customDomains },
      );
    }
    // Tokens go with the membership (ON DELETE CASCADE): none of them authenticates any more.
    await tx.userProfile.delete({ where: { id: profile.id } });
    await recordEvents(tx, input.accountId, [
      {
        type: "member.removed",
        data: {
          userProfileId: profile.id,
          username: profile.user.username,
          revokedTokens: adminTokens,
          by: input.removedBy,
        },
      },
    ]);
    return { userProfileId: profile.id, username: profile.user.username, revokedTokens: adminTokens };
  });
}

/** account.members.remove: an admin removes a member of their own account (themselves included). */
export function removeMemberOf(db: DatabaseClient, principal: Principal, userProfileId: number) {
  return removeMember(db, {
    accountId: principal.accountId,
    userProfileId,
    removedBy: principal.userProfileId,
  });
}

/** `botgate member remove`: the operator names the member by account number and username. */
export async function removeMemberByUsername(
  db: DatabaseClient,
  input: { accountNumber: string; username: string },
): Promise<RemovedMember> {
  const profile = await findMember(db, input);
  return removeMember(db, { accountId: profile.accountId, userProfileId: profile.id, removedBy: null });
}
