-- DropIndex
DROP INDEX "ChatBotCustomDomain_domainName_key";

-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "customHost" VARCHAR(253),
ADD COLUMN     "hostLabel" VARCHAR(63);

-- AlterTable
ALTER TABLE "ChatBotCustomDomain" ADD COLUMN     "claimExpiresAt" TIMESTAMP(3);

-- CreateIndex
CREATE UNIQUE INDEX "ChatBot_customHost_key" ON "ChatBot"("customHost");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBot_accountId_hostLabel_key" ON "ChatBot"("accountId", "hostLabel");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_domainName_idx" ON "ChatBotCustomDomain"("domainName");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_claimExpiresAt_idx" ON "ChatBotCustomDomain"("claimExpiresAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotCustomDomain_accountId_domainName_key" ON "ChatBotCustomDomain"("accountId", "domainName");

-- ---------------------------------------------------------------- hand-written guarantees

-- A verified domain is unique across the platform; pending claims of one name may coexist
-- (one per account, the unique index above). Prisma's schema cannot express a partial index:
-- packages/db/src/catalog.ts lists this one as hand-written for the drift check.
CREATE UNIQUE INDEX "ChatBotCustomDomain_verified_domainName_key"
  ON "ChatBotCustomDomain"("domainName") WHERE "isVerified";

-- Claims that were pending before claims expired get the default period from now
-- (DOMAIN_CLAIM_TTL_HOURS, 72 hours); verified domains never expire.
UPDATE "ChatBotCustomDomain"
  SET "claimExpiresAt" = (now() AT TIME ZONE 'UTC') + interval '72 hours'
  WHERE NOT "isVerified";

-- ChatBot.customHost is derived data: `<hostLabel>.<domainName>` while the chatbot's custom
-- domain is verified, else null. The database computes it, so no writer (API, workflow step,
-- operator script) can leave it stale, and its unique index refuses two chatbots one custom
-- host whichever change (attach, rename, verify) would create the clash.
CREATE FUNCTION "botgate_chatbot_custom_host"() RETURNS trigger AS $$
BEGIN
  NEW."customHost" := (
    SELECT NEW."hostLabel" || '.' || d."domainName"
    FROM "ChatBotCustomDomain" d
    WHERE d."id" = NEW."customDomainId" AND d."isVerified"
  );
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ChatBot_customHost_derived"
  BEFORE INSERT OR UPDATE OF "hostLabel", "customDomainId", "customHost" ON "ChatBot"
  FOR EACH ROW EXECUTE FUNCTION "botgate_chatbot_custom_host"();

-- A domain's verification (or name) changing re-derives the custom host of every attached
-- chatbot (the update fires the trigger above, which reads the domain's new state).
CREATE FUNCTION "botgate_domain_custom_hosts"() RETURNS trigger AS $$
BEGIN
  UPDATE "ChatBot" SET "customHost" = NULL WHERE "customDomainId" = NEW."id";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ChatBotCustomDomain_customHosts"
  AFTER UPDATE OF "isVerified", "domainName" ON "ChatBotCustomDomain"
  FOR EACH ROW
  WHEN (OLD."isVerified" IS DISTINCT FROM NEW."isVerified" OR OLD."domainName" IS DISTINCT FROM NEW."domainName")
  EXECUTE FUNCTION "botgate_domain_custom_hosts"();

-- ChatBot.hostLabel is rfc1034CompliantName() (NFKD folding, SHA-256 of long parts): one
-- definition, in TypeScript. Rather than a second one in SQL that could drift from it, the
-- column starts null and backfillHostLabels() (packages/api, run at every API start before
-- it serves) fills it idempotently; customHost follows through the trigger above.
