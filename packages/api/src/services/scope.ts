// Tenant isolation in one place. Every lookup by id goes through these filters, so another
// account's ids (and, for members, another member's chatbots) are simply not found.
import { BotgateError } from "@botgate/core";
import type { Prisma } from "@botgate/db";
import type { Principal } from "./auth.ts";

/** Account admins manage every chatbot of their account; members manage their own. */
export function chatbotScope(principal: Principal): Prisma.ChatBotWhereInput {
  return principal.isAccountAdmin
    ? { accountId: principal.accountId }
    : { accountId: principal.accountId, userProfileId: principal.userProfileId };
}

/**
 * chatbotScope's rule for a chatbot row the caller already holds (the chat origin loads the
 * chatbot once per request and checks the token against it, with no second query).
 */
export function isChatbotRowInScope(
  principal: Principal,
  row: { accountId: number; userProfileId: number },
): boolean {
  return (
    row.accountId === principal.accountId &&
    (principal.isAccountAdmin || row.userProfileId === principal.userProfileId)
  );
}

/**
 * Custom domains belong to the account: every member may see and attach them (admins manage
 * them). A claim whose time ran out unverified is gone, whether or not cleanup deleted it yet.
 */
export function domainScope(principal: Principal): Prisma.ChatBotCustomDomainWhereInput {
  return {
    accountId: principal.accountId,
    OR: [{ claimExpiresAt: null }, { claimExpiresAt: { gt: new Date() } }],
  };
}

export function notFound(what: string, id: number): BotgateError {
  return new BotgateError("NOT_FOUND", `No ${what} with id ${id}.`);
}

/** Whether the chatbot with this id is in the caller's scope (one query). */
export async function isChatbotInScope(
  db: Pick<Prisma.TransactionClient, "chatBot">,
  principal: Principal,
  id: number,
): Promise<boolean> {
  const found = await db.chatBot.findFirst({
    where: { id, ...chatbotScope(principal) },
    select: { id: true },
  });
  return found !== null;
}

/** Fails with NOT_FOUND unless the chatbot is in the caller's scope. */
export async function assertChatbotInScope(
  db: Pick<Prisma.TransactionClient, "chatBot">,
  principal: Principal,
  id: number,
): Promise<void> {
  if (!(await isChatbotInScope(db, principal, id))) throw notFound("chatbot", id);
}

/** Fails with NOT_FOUND unless the custom domain belongs to the caller's account. */
export async function assertDomainInScope(
  db: Pick<Prisma.TransactionClient, "chatBotCustomDomain">,
  principal: Principal,
  id: number,
): Promise<void> {
  const found = await db.chatBotCustomDomain.findFirst({
    where: { id, ...domainScope(principal) },
    select: { id: true },
  });
  if (!found) throw notFound("custom domain", id);
}
