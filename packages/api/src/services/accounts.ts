// Creating accounts, members and admin tokens: used by the operator CLI, the dev seed and
// tests. The API itself never creates accounts.
import { randomInt } from "node:crypto";
import { BotgateError, generateAccountNumber, validateUsername } from "@botgate/core";
import { type DatabaseClient, Prisma } from "@botgate/db";
import { generateSecret } from "./secrets.ts";

export interface NewAdminToken {
  id: number;
  /** Shown once; only its hash is stored. */
  token: string;
  prefix: string;
}

export interface BootstrappedAccount {
  accountId: number;
  accountNumber: string;
  companyName: string;
  userId: number;
  username: string;
  userProfileId: number;
  isAccountAdmin: boolean;
  token: string;
  tokenPrefix: string;
}

const isUniqueViolation = (error: unknown) =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

function checkedUsername(username: string): string {
  const result = validateUsername(username);
  if (!result.ok) throw new BotgateError("BAD_REQUEST", `username: ${result.error.message}`);
  return result.value;
}

/** How long an admin token lives unless its creator chooses (API, CLI and bootstrap alike). */
export const ADMIN_TOKEN_DEFAULT_LIFETIME_DAYS = 90;
/** The longest lifetime a creator may choose: no token lives forever. */
export const ADMIN_TOKEN_MAX_LIFETIME_DAYS = 365;

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a token created now expires, `days` from now (the default lifetime when absent). */
export function tokenExpiry(days: number = ADMIN_TOKEN_DEFAULT_LIFETIME_DAYS, now = new Date()): Date {
  if (!Number.isInteger(days) || days < 1 || days > ADMIN_TOKEN_MAX_LIFETIME_DAYS) {
    throw new BotgateError(
      "BAD_REQUEST",
      `a token lives 1 to ${ADMIN_TOKEN_MAX_LIFETIME_DAYS} days (default ${ADMIN_TOKEN_DEFAULT_LIFETIME_DAYS})`,
    );
  }
  return new Date(now.getTime() + days * DAY_MS);
}

export async function createAdminToken(
  db: Pick<DatabaseClient, "adminToken">,
  userProfileId: number,
  name = "",
  expiresAt: Date = tokenExpiry(),
): Promise<NewAdminToken> {
  const secret = generateSecret("admin");
  const row = await db.adminToken.create({
    data: { userProfileId, name, tokenHash: secret.hash, prefix: secret.prefix, expiresAt },
  });
  return { id: row.id, token: secret.plaintext, prefix: secret.prefix };
}

/** A new account with one admin user and an admin token. Retries the rare account-number clash. */
export async function bootstrapAccount(
  db: DatabaseClient,
  input: { username: string; companyName?: string; email?: string },
): Promise<BootstrappedAccount> {
  const username = checkedUsername(input.username);
  for (let attempt = 0; ; attempt++) {
    try {
      return await db.$transaction(async (tx) => {
        const account = await tx.account.create({
          data: { accountNumber: generateAccountNumber(randomInt), companyName: input.companyName ?? "" },
        });
        const user = await tx.user.create({ data: { username, email: input.email ?? "" } });
        const profile = await tx.userProfile.create({
          data: { userId: user.id, accountId: account.id, isAccountAdmin: true },
        });
        return membership(account, user, profile, await createAdminToken(tx, profile.id, "bootstrap"));
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const target = JSON.stringify((error as Prisma.PrismaClientKnownRequestError).meta ?? {});
      if (target.includes("username")) throw new BotgateError("CONFLICT", `username ${username} is taken`);
      if (attempt >= 5) throw error;
    }
  }
}

/** Adds a user (new or existing) to an account, with a token of their own. */
export async function addMember(
  db: DatabaseClient,
  input: { accountNumber: string; username: string; isAccountAdmin?: boolean; email?: string },
): Promise<BootstrappedAccount> {
  const username = checkedUsername(input.username);
  const account = await db.account.findUnique({ where: { accountNumber: input.accountNumber } });
  if (!account) throw new BotgateError("NOT_FOUND", `no account ${input.accountNumber}`);
  const user = await db.user.upsert({
    where: { username },
    create: { username, email: input.email ?? "" },
    update: {},
  });
  const profile = await db.userProfile
    .create({
      data: { userId: user.id, accountId: account.id, isAccountAdmin: input.isAccountAdmin ?? false },
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) throw new BotgateError("CONFLICT", `${username} is already a member`);
      throw error;
    });
  return membership(account, user, profile, await createAdminToken(db, profile.id, "member"));
}

function membership(
  account: { id: number; accountNumber: string; companyName: string },
  user: { id: number; username: string },
  profile: { id: number; isAccountAdmin: boolean },
  token: NewAdminToken,
): BootstrappedAccount {
  return {
    accountId: account.id,
    accountNumber: account.accountNumber,
    companyName: account.companyName,
    userId: user.id,
    username: user.username,
    userProfileId: profile.id,
    isAccountAdmin: profile.isAccountAdmin,
    token: token.token,
    tokenPrefix: token.prefix,
  };
}

/** A new token for an existing member, found by account number and username. */
export async function createTokenFor(
  db: DatabaseClient,
  input: { accountNumber: string; username: string; name?: string; expiresInDays?: number },
): Promise<NewAdminToken & { userProfileId: number; expiresAt: Date }> {
  const expiresAt = tokenExpiry(input.expiresInDays);
  const profile = await findMember(db, input);
  return {
    ...(await createAdminToken(db, profile.id, input.name ?? "", expiresAt)),
    userProfileId: profile.id,
    expiresAt,
  };
}

/** A member's profile by account number and username (the operator CLI's way of naming one). */
export async function findMember(
  db: Pick<DatabaseClient, "userProfile">,
  input: { accountNumber: string; username: string },
): Promise<{ id: number; accountId: number }> {
  const profile = await db.userProfile.findFirst({
    where: { account: { accountNumber: input.accountNumber }, user: { username: input.username } },
    select: { id: true, accountId: true },
  });
  if (!profile)
    throw new BotgateError("NOT_FOUND", `${input.username} is not a member of ${input.accountNumber}`);
  return profile;
}
