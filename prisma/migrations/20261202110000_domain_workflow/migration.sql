-- CreateEnum
CREATE TYPE "DomainVerificationStatus" AS ENUM ('Provisioning', 'AwaitingDns', 'IssuingCertificate', 'Verified', 'Failing', 'Failed');

-- DropIndex
DROP INDEX "ChatBotCustomDomainDNS_recordName_recordType_key";

-- AlterTable
ALTER TABLE "ChatBotCustomDomain" ADD COLUMN     "certificateArn" VARCHAR(2048),
ADD COLUMN     "certificateStatus" VARCHAR(32),
ADD COLUMN     "checkStreak" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "failingSince" TIMESTAMP(3),
ADD COLUMN     "lastChecks" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "nextCheckAt" TIMESTAMP(3),
ADD COLUMN     "provisionedBy" VARCHAR(16),
ADD COLUMN     "verificationStatus" "DomainVerificationStatus" NOT NULL DEFAULT 'Provisioning';

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_nextCheckAt_idx" ON "ChatBotCustomDomain"("nextCheckAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotCustomDomainDNS_hostedZoneId_recordName_recordType_key" ON "ChatBotCustomDomainDNS"("hostedZoneId", "recordName", "recordType");

-- CreateIndex
CREATE INDEX "ChatBotEvent_chatbotId_id_idx" ON "ChatBotEvent"("chatbotId", "id");

-- CreateIndex
CREATE INDEX "ChatBotEvent_customDomainId_id_idx" ON "ChatBotEvent"("customDomainId", "id");


-- ---------------------------------------------------------------- hand-written

-- Domains from before the workflow: verified ones are Verified and due for re-verification;
-- pending claims wait for DNS and are checked by the periodic verify job.
UPDATE "ChatBotCustomDomain"
  SET "verificationStatus" = CASE WHEN "isVerified" THEN 'Verified'::"DomainVerificationStatus"
                                  ELSE 'AwaitingDns'::"DomainVerificationStatus" END,
      "nextCheckAt" = now() AT TIME ZONE 'UTC';
