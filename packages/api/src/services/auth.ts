// Admin API authentication: `Authorization: Bearer <admin token>`. Tokens are looked up by
// their SHA-256 hash; revoked or expired tokens and inactive accounts are refused alike.
import { BotgateError } from "@botgate/core";
import type { DatabaseClient } from "@botgate/db";
import { hashSecret } from "./secrets.ts";

/** Who is calling: what protectedProcedure puts in ctx.auth. */
export interface Principal {
  userId: number;
  username: string;
  userProfileId: number;
  accountId: number;
  accountNumber: string;
  isAccountAdmin: boolean;
}

/** lastUsedAt is a hint for humans: written at most this often per token, never on every call. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/** Generated tokens are 36 characters; anything far longer is not worth hashing. */
const MAX_TOKEN_LENGTH = 256;

function unauthorized(message: string): BotgateError {
  return new BotgateError("UNAUTHORIZED", message);
}

function bearerToken(authorization: string | null): string {
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? "");
  const token = match?.[1];
  if (token === undefined || token.length > MAX_TOKEN_LENGTH) {
    throw unauthorized("An `Authorization: Bearer <admin token>` header is required.");
  }
  return token;
}

export async function authenticate(db: DatabaseClient, authorization: string | null): Promise<Principal> {
  const token = bearerToken(authorization);
  const row = await db.adminToken.findUnique({
    where: { tokenHash: hashSecret(token) },
    select: {
      id: true,
      lastUsedAt: true,
      expiresAt: true,
      revokedAt: true,
      userProfile: {
        select: {
          id: true,
          isAccountAdmin: true,
          user: { select: { id: true, username: true } },
          account: { select: { id: true, accountNumber: true, isActive: true } },
        },
      },
    },
  });
  const now = new Date();
  if (!row) throw unauthorized("This admin token is not valid.");
  if (row.revokedAt !== null) throw unauthorized("This admin token was revoked.");
  if (row.expiresAt !== null && row.expiresAt <= now) throw unauthorized("This admin token has expired.");
  const { userProfile: profile } = row;
  if (!profile.account.isActive) throw unauthorized("This account is inactive.");

  if (row.lastUsedAt === null || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    await touchLastUsed(db, row.id, now);
  }
  return {
    userId: profile.user.id,
    username: profile.user.username,
    userProfileId: profile.id,
    accountId: profile.account.id,
    accountNumber: profile.account.accountNumber,
    isAccountAdmin: profile.isAccountAdmin,
  };
}

/** Conditional, so concurrent requests (and other API processes) write it once per interval. */
async function touchLastUsed(db: DatabaseClient, tokenId: number, now: Date): Promise<void> {
  const threshold = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
  await db.adminToken.updateMany({
    where: { id: tokenId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lte: threshold } }] },
    data: { lastUsedAt: now },
  });
}

/** Revokes an admin token (kept for the audit trail); false when there is no active token with this id. */
export async function revokeAdminToken(db: DatabaseClient, tokenId: number): Promise<boolean> {
  const { count } = await db.adminToken.updateMany({
    where: { id: tokenId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}
