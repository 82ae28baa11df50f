// account.tokens.*: a user lists, creates and revokes their own admin tokens; an account admin
// also lists and revokes those of the account's members. Out-of-scope ids are not found,
// like every other resource; only the hash of a token is stored, its plaintext is answered once.
import { BotgateError } from "@botgate/core";
import type { AdminToken, DatabaseClient, Prisma } from "@botgate/db";
import { type Page, toPage } from "../inputs/common.ts";
import { createAdminToken, type NewAdminToken, tokenExpiry } from "./accounts.ts";
import type { Principal } from "./auth.ts";
import { recordEvents } from "./events.ts";
import { notFound } from "./scope.ts";

export interface AdminTokenView {
  id: number;
  userProfileId: number;
  name: string;
  /** The first characters of the token, to tell tokens apart. */
  prefix: string;
  status: "active" | "expired" | "revoked";
  createdAt: Date;
  lastUsedAt: Date | null;
  /** null: never expires (tokens created before expiry became the default). */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Account admins reach the tokens of every member of their account; members their own. */
export function adminTokenScope(principal: Principal): Prisma.AdminTokenWhereInput {
  return principal.isAccountAdmin
    ? { userProfile: { accountId: principal.accountId } }
    : { userProfileId: principal.userProfileId };
}

function toAdminTokenView(row: AdminToken, now = new Date()): AdminTokenView {
  return {
    id: row.id,
    userProfileId: row.userProfileId,
    name: row.name,
    prefix: row.prefix,
    status:
      row.revokedAt !== null
        ? "revoked"
        : row.expiresAt !== null && row.expiresAt <= now
          ? "expired"
          : "active",
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
  };
}

/** Whose tokens a list asks for: the caller's own unless an admin names a member of the account. */
async function tokenOwner(db: DatabaseClient, principal: Principal, userProfileId: number | undefined) {
  if (userProfileId === undefined || userProfileId === principal.userProfileId)
    return principal.userProfileId;
  if (!principal.isAccountAdmin) {
    throw new BotgateError("FORBIDDEN", "Only account admins may see another member's tokens.");
  }
  const member = await db.userProfile.findFirst({
    where: { id: userProfileId, accountId: principal.accountId },
    select: { id: true },
  });
  if (member === null) throw notFound("member", userProfileId);
  return member.id;
}

export async function listAdminTokens(
  db: DatabaseClient,
  principal: Principal,
  input: { userProfileId?: number | undefined; cursor?: number | undefined; limit: number },
): Promise<Page<AdminTokenView>> {
  const owner = await tokenOwner(db, principal, input.userProfileId);
  const rows = await db.adminToken.findMany({
    where: { userProfileId: owner, ...(input.cursor === undefined ? {} : { id: { gt: input.cursor } }) },
    orderBy: { id: "asc" },
    take: input.limit + 1,
  });
  const now = new Date();
  return toPage(rows, input.limit, (row) => toAdminTokenView(row, now));
}

/** A new token for the caller; expiresInDays defaults to the documented lifetime. */
export async function createOwnAdminToken(
  db: DatabaseClient,
  principal: Principal,
  input: { name: string; expiresInDays?: number | undefined },
): Promise<NewAdminToken & AdminTokenView> {
  const created = await createAdminToken(
    db,
    principal.userProfileId,
    input.name,
    tokenExpiry(input.expiresInDays),
  );
  const row = await db.adminToken.findUniqueOrThrow({ where: { id: created.id } });
  return { ...toAdminTokenView(row), token: created.token };
}

/** Revokes a token in the caller's scope; revoking a revoked token answers it unchanged. */
export async function revokeAdminTokenInScope(
  db: DatabaseClient,
  principal: Principal,
  id: number,
): Promise<AdminTokenView> {
  return db.$transaction(async (tx) => {
    const row = await tx.adminToken.findFirst({ where: { id, ...adminTokenScope(principal) } });
    if (row === null) throw notFound("admin token", id);
    if (row.revokedAt !== null) return toAdminTokenView(row);
    const revoked = await tx.adminToken.update({ where: { id }, data: { revokedAt: new Date() } });
    await recordEvents(tx, principal.accountId, [
      {
        type: "adminToken.revoked",
        data: {
          adminTokenId: id,
          prefix: row.prefix,
          userProfileId: row.userProfileId,
          by: principal.userProfileId,
        },
      },
    ]);
    return toAdminTokenView(revoked);
  });
}
