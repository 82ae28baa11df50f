-- Admin tokens expire (90 days unless their creator chooses 1 to 365; see
-- packages/api/src/services/accounts.ts). No schema change: "expiresAt" stays nullable.
-- Tokens created before that rule never expired; they get the default lifetime from now on,
-- so no token of the platform lives forever.
UPDATE "AdminToken"
SET "expiresAt" = CURRENT_TIMESTAMP + INTERVAL '90 days'
WHERE "expiresAt" IS NULL AND "revokedAt" IS NULL;
