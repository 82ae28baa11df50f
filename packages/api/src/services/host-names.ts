// Two chatbots of one account must never share a host name (rfc1034CompliantName): their
// default (and custom) hosts would collide. Names are case-insensitive in hosts and usernames
// are sanitized, so the (owner, name) unique constraint alone does not prevent it.
import { BotgateError, rfc1034CompliantName } from "@botgate/core";
import type { Prisma } from "@botgate/db";

export interface HostNameClaim {
  accountId: number;
  name: string;
  owner: { username: string; isAccountAdmin: boolean };
  /** The chatbot being renamed, if any. */
  chatbotId?: number;
}

/**
 * Fails with CONFLICT when another chatbot of the account has the same host name. Locks the
 * account row first (FOR NO KEY UPDATE: it does not block foreign-key checks), so concurrent
 * creates and renames in one account take turns and cannot both pass the check.
 */
export async function claimHostName(tx: Prisma.TransactionClient, claim: HostNameClaim): Promise<void> {
  await tx.$queryRaw`SELECT 1 FROM "Account" WHERE "id" = ${claim.accountId} FOR NO KEY UPDATE`;
  const label = rfc1034CompliantName(claim);
  // Different names can only share a label when they are equal ignoring case.
  const candidates = await tx.chatBot.findMany({
    where: {
      accountId: claim.accountId,
      name: { equals: claim.name, mode: "insensitive" },
      ...(claim.chatbotId === undefined ? {} : { NOT: { id: claim.chatbotId } }),
    },
    select: {
      name: true,
      userProfile: { select: { isAccountAdmin: true, user: { select: { username: true } } } },
    },
  });
  const clash = candidates.some(
    (other) =>
      rfc1034CompliantName({
        name: other.name,
        owner: {
          username: other.userProfile.user.username,
          isAccountAdmin: other.userProfile.isAccountAdmin,
        },
      }) === label,
  );
  if (clash) {
    const message = `Another chatbot of this account already uses the host name "${label}".`;
    throw new BotgateError("CONFLICT", message, { fieldErrors: { name: [message] } });
  }
}
