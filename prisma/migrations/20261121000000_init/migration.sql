-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "DnsVerificationStatus" AS ENUM ('Verifying', 'Not Verified', 'Verified', 'Failed');

-- CreateEnum
CREATE TYPE "TlsCertificateIssuanceStatus" AS ENUM ('No Certificate', 'Requested', 'Issued', 'Failed');

-- CreateEnum
CREATE TYPE "ChatBotFunctionName" AS ENUM ('get_current_weather', 'date_calculator', 'calculator');

-- CreateTable
CREATE TABLE "Account" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "accountNumber" VARCHAR(14) NOT NULL,
    "companyName" TEXT NOT NULL DEFAULT '',
    "isActive" BOOLEAN NOT NULL DEFAULT true,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "username" VARCHAR(150) NOT NULL,
    "email" VARCHAR(254) NOT NULL DEFAULT '',

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UserProfile" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "userId" INTEGER NOT NULL,
    "accountId" INTEGER NOT NULL,
    "isAccountAdmin" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "UserProfile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AdminToken" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "userProfileId" INTEGER NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "tokenHash" CHAR(64) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "lastUsedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "AdminToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "name" VARCHAR(100) NOT NULL,

    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBot" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "name" VARCHAR(255) NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "version" VARCHAR(255) NOT NULL DEFAULT '1.0.0',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "userProfileId" INTEGER NOT NULL,
    "accountId" INTEGER NOT NULL,
    "deployed" BOOLEAN NOT NULL DEFAULT false,
    "provider" VARCHAR(255) NOT NULL DEFAULT 'openai',
    "defaultModel" VARCHAR(255),
    "defaultSystemRole" TEXT,
    "defaultTemperature" DOUBLE PRECISION,
    "defaultMaxTokens" INTEGER,
    "appName" VARCHAR(255),
    "appAssistant" VARCHAR(255),
    "appWelcomeMessage" VARCHAR(255),
    "appExamplePrompts" JSONB NOT NULL DEFAULT '[]',
    "appPlaceholder" VARCHAR(255),
    "appInfoUrl" VARCHAR(2048),
    "appBackgroundImageUrl" VARCHAR(2048),
    "appLogoUrl" VARCHAR(2048),
    "appFileAttachment" BOOLEAN NOT NULL DEFAULT false,
    "dnsVerificationStatus" "DnsVerificationStatus" NOT NULL DEFAULT 'Not Verified',
    "tlsCertificateIssuanceStatus" "TlsCertificateIssuanceStatus" NOT NULL DEFAULT 'No Certificate',
    "subdomainId" INTEGER,
    "customDomainId" INTEGER,

    CONSTRAINT "ChatBot_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotCustomDomain" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "name" VARCHAR(255) NOT NULL DEFAULT '',
    "description" TEXT NOT NULL DEFAULT '',
    "version" VARCHAR(255) NOT NULL DEFAULT '1.0.0',
    "annotations" JSONB NOT NULL DEFAULT '{}',
    "userProfileId" INTEGER NOT NULL,
    "accountId" INTEGER NOT NULL,
    "awsHostedZoneId" VARCHAR(255),
    "domainName" VARCHAR(253) NOT NULL,
    "isVerified" BOOLEAN NOT NULL DEFAULT false,
    "verificationToken" VARCHAR(64) NOT NULL,
    "nameServers" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "lastCheckedAt" TIMESTAMP(3),
    "verifiedAt" TIMESTAMP(3),
    "failureReason" TEXT,

    CONSTRAINT "ChatBotCustomDomain_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotCustomDomainDNS" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "customDomainId" INTEGER,
    "hostedZoneId" VARCHAR(255),
    "recordName" VARCHAR(253) NOT NULL,
    "recordType" VARCHAR(16) NOT NULL,
    "recordValue" TEXT NOT NULL,
    "recordTtl" INTEGER NOT NULL DEFAULT 600,

    CONSTRAINT "ChatBotCustomDomainDNS_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotAPIKey" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "chatbotId" INTEGER NOT NULL,
    "name" VARCHAR(255) NOT NULL DEFAULT '',
    "keyHash" CHAR(64) NOT NULL,
    "prefix" VARCHAR(16) NOT NULL,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ChatBotAPIKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotFunctions" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "chatbotId" INTEGER NOT NULL,
    "name" "ChatBotFunctionName" NOT NULL,

    CONSTRAINT "ChatBotFunctions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotPlugin" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "chatbotId" INTEGER NOT NULL,
    "pluginName" VARCHAR(255) NOT NULL,

    CONSTRAINT "ChatBotPlugin_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotRequests" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "chatbotId" INTEGER NOT NULL,
    "request" JSONB NOT NULL,
    "sessionKey" CHAR(64),
    "isAggregation" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "ChatBotRequests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Chat" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "sessionKey" CHAR(64) NOT NULL,
    "chatbotId" INTEGER NOT NULL,
    "ipAddress" VARCHAR(45),
    "userAgent" TEXT,
    "url" VARCHAR(2048),

    CONSTRAINT "Chat_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatHistory" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "chatId" INTEGER NOT NULL,
    "role" VARCHAR(32) NOT NULL,
    "content" TEXT NOT NULL,
    "request" JSONB,
    "response" JSONB,

    CONSTRAINT "ChatHistory_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ChatBotEvent" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "accountId" INTEGER NOT NULL,
    "chatbotId" INTEGER,
    "customDomainId" INTEGER,
    "type" VARCHAR(64) NOT NULL,
    "data" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "ChatBotEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "_ChatBotToTag" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_ChatBotToTag_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateTable
CREATE TABLE "_ChatBotCustomDomainToTag" (
    "A" INTEGER NOT NULL,
    "B" INTEGER NOT NULL,

    CONSTRAINT "_ChatBotCustomDomainToTag_AB_pkey" PRIMARY KEY ("A","B")
);

-- CreateIndex
CREATE UNIQUE INDEX "Account_accountNumber_key" ON "Account"("accountNumber");

-- CreateIndex
CREATE INDEX "Account_createdAt_idx" ON "Account"("createdAt");

-- CreateIndex
CREATE INDEX "Account_updatedAt_idx" ON "Account"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE INDEX "User_createdAt_idx" ON "User"("createdAt");

-- CreateIndex
CREATE INDEX "User_updatedAt_idx" ON "User"("updatedAt");

-- CreateIndex
CREATE INDEX "UserProfile_accountId_idx" ON "UserProfile"("accountId");

-- CreateIndex
CREATE INDEX "UserProfile_createdAt_idx" ON "UserProfile"("createdAt");

-- CreateIndex
CREATE INDEX "UserProfile_updatedAt_idx" ON "UserProfile"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "UserProfile_userId_accountId_key" ON "UserProfile"("userId", "accountId");

-- CreateIndex
CREATE UNIQUE INDEX "UserProfile_id_accountId_key" ON "UserProfile"("id", "accountId");

-- CreateIndex
CREATE UNIQUE INDEX "AdminToken_tokenHash_key" ON "AdminToken"("tokenHash");

-- CreateIndex
CREATE INDEX "AdminToken_userProfileId_idx" ON "AdminToken"("userProfileId");

-- CreateIndex
CREATE INDEX "AdminToken_createdAt_idx" ON "AdminToken"("createdAt");

-- CreateIndex
CREATE INDEX "AdminToken_updatedAt_idx" ON "AdminToken"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");

-- CreateIndex
CREATE INDEX "Tag_createdAt_idx" ON "Tag"("createdAt");

-- CreateIndex
CREATE INDEX "Tag_updatedAt_idx" ON "Tag"("updatedAt");

-- CreateIndex
CREATE INDEX "ChatBot_accountId_id_idx" ON "ChatBot"("accountId", "id");

-- CreateIndex
CREATE INDEX "ChatBot_subdomainId_idx" ON "ChatBot"("subdomainId");

-- CreateIndex
CREATE INDEX "ChatBot_customDomainId_idx" ON "ChatBot"("customDomainId");

-- CreateIndex
CREATE INDEX "ChatBot_createdAt_idx" ON "ChatBot"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBot_updatedAt_idx" ON "ChatBot"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBot_userProfileId_name_key" ON "ChatBot"("userProfileId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotCustomDomain_domainName_key" ON "ChatBotCustomDomain"("domainName");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_accountId_idx" ON "ChatBotCustomDomain"("accountId");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_userProfileId_idx" ON "ChatBotCustomDomain"("userProfileId");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_createdAt_idx" ON "ChatBotCustomDomain"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomain_updatedAt_idx" ON "ChatBotCustomDomain"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotCustomDomain_id_accountId_key" ON "ChatBotCustomDomain"("id", "accountId");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomainDNS_customDomainId_idx" ON "ChatBotCustomDomainDNS"("customDomainId");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomainDNS_createdAt_idx" ON "ChatBotCustomDomainDNS"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotCustomDomainDNS_updatedAt_idx" ON "ChatBotCustomDomainDNS"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotCustomDomainDNS_recordName_recordType_key" ON "ChatBotCustomDomainDNS"("recordName", "recordType");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotAPIKey_keyHash_key" ON "ChatBotAPIKey"("keyHash");

-- CreateIndex
CREATE INDEX "ChatBotAPIKey_chatbotId_idx" ON "ChatBotAPIKey"("chatbotId");

-- CreateIndex
CREATE INDEX "ChatBotAPIKey_createdAt_idx" ON "ChatBotAPIKey"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotAPIKey_updatedAt_idx" ON "ChatBotAPIKey"("updatedAt");

-- CreateIndex
CREATE INDEX "ChatBotFunctions_createdAt_idx" ON "ChatBotFunctions"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotFunctions_updatedAt_idx" ON "ChatBotFunctions"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotFunctions_chatbotId_name_key" ON "ChatBotFunctions"("chatbotId", "name");

-- CreateIndex
CREATE INDEX "ChatBotPlugin_createdAt_idx" ON "ChatBotPlugin"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotPlugin_updatedAt_idx" ON "ChatBotPlugin"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "ChatBotPlugin_chatbotId_pluginName_key" ON "ChatBotPlugin"("chatbotId", "pluginName");

-- CreateIndex
CREATE INDEX "ChatBotRequests_chatbotId_id_idx" ON "ChatBotRequests"("chatbotId", "id");

-- CreateIndex
CREATE INDEX "ChatBotRequests_sessionKey_idx" ON "ChatBotRequests"("sessionKey");

-- CreateIndex
CREATE INDEX "ChatBotRequests_createdAt_idx" ON "ChatBotRequests"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotRequests_updatedAt_idx" ON "ChatBotRequests"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Chat_sessionKey_key" ON "Chat"("sessionKey");

-- CreateIndex
CREATE INDEX "Chat_chatbotId_idx" ON "Chat"("chatbotId");

-- CreateIndex
CREATE INDEX "Chat_createdAt_idx" ON "Chat"("createdAt");

-- CreateIndex
CREATE INDEX "Chat_updatedAt_idx" ON "Chat"("updatedAt");

-- CreateIndex
CREATE INDEX "ChatHistory_chatId_id_idx" ON "ChatHistory"("chatId", "id");

-- CreateIndex
CREATE INDEX "ChatHistory_createdAt_idx" ON "ChatHistory"("createdAt");

-- CreateIndex
CREATE INDEX "ChatHistory_updatedAt_idx" ON "ChatHistory"("updatedAt");

-- CreateIndex
CREATE INDEX "ChatBotEvent_accountId_id_idx" ON "ChatBotEvent"("accountId", "id");

-- CreateIndex
CREATE INDEX "ChatBotEvent_chatbotId_idx" ON "ChatBotEvent"("chatbotId");

-- CreateIndex
CREATE INDEX "ChatBotEvent_customDomainId_idx" ON "ChatBotEvent"("customDomainId");

-- CreateIndex
CREATE INDEX "ChatBotEvent_createdAt_idx" ON "ChatBotEvent"("createdAt");

-- CreateIndex
CREATE INDEX "ChatBotEvent_updatedAt_idx" ON "ChatBotEvent"("updatedAt");

-- CreateIndex
CREATE INDEX "_ChatBotToTag_B_index" ON "_ChatBotToTag"("B");

-- CreateIndex
CREATE INDEX "_ChatBotCustomDomainToTag_B_index" ON "_ChatBotCustomDomainToTag"("B");

-- AddForeignKey
ALTER TABLE "UserProfile" ADD CONSTRAINT "UserProfile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UserProfile" ADD CONSTRAINT "UserProfile_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AdminToken" ADD CONSTRAINT "AdminToken_userProfileId_fkey" FOREIGN KEY ("userProfileId") REFERENCES "UserProfile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBot" ADD CONSTRAINT "ChatBot_userProfileId_accountId_fkey" FOREIGN KEY ("userProfileId", "accountId") REFERENCES "UserProfile"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBot" ADD CONSTRAINT "ChatBot_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBot" ADD CONSTRAINT "ChatBot_subdomainId_fkey" FOREIGN KEY ("subdomainId") REFERENCES "ChatBotCustomDomainDNS"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBot" ADD CONSTRAINT "ChatBot_customDomainId_accountId_fkey" FOREIGN KEY ("customDomainId", "accountId") REFERENCES "ChatBotCustomDomain"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotCustomDomain" ADD CONSTRAINT "ChatBotCustomDomain_userProfileId_accountId_fkey" FOREIGN KEY ("userProfileId", "accountId") REFERENCES "UserProfile"("id", "accountId") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotCustomDomain" ADD CONSTRAINT "ChatBotCustomDomain_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotCustomDomainDNS" ADD CONSTRAINT "ChatBotCustomDomainDNS_customDomainId_fkey" FOREIGN KEY ("customDomainId") REFERENCES "ChatBotCustomDomain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotAPIKey" ADD CONSTRAINT "ChatBotAPIKey_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotFunctions" ADD CONSTRAINT "ChatBotFunctions_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotPlugin" ADD CONSTRAINT "ChatBotPlugin_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotRequests" ADD CONSTRAINT "ChatBotRequests_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatHistory" ADD CONSTRAINT "ChatHistory_chatId_fkey" FOREIGN KEY ("chatId") REFERENCES "Chat"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotEvent" ADD CONSTRAINT "ChatBotEvent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ChatBotEvent" ADD CONSTRAINT "ChatBotEvent_chatbotId_fkey" FOREIGN KEY ("chatbotId") REFERENCES "ChatBot"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ChatBotToTag" ADD CONSTRAINT "_ChatBotToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "ChatBot"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ChatBotToTag" ADD CONSTRAINT "_ChatBotToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ChatBotCustomDomainToTag" ADD CONSTRAINT "_ChatBotCustomDomainToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "ChatBotCustomDomain"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "_ChatBotCustomDomainToTag" ADD CONSTRAINT "_ChatBotCustomDomainToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Hand-written guarantees schema.prisma cannot express (the drift test ignores CHECK
-- constraints and triggers; packages/db/test/constraints.test.ts covers them).

-- Account numbers look like dddd-dddd-dddd and never change once issued.
ALTER TABLE "Account" ADD CONSTRAINT "Account_accountNumber_format"
  CHECK ("accountNumber" ~ '^[0-9]{4}-[0-9]{4}-[0-9]{4}$');

CREATE FUNCTION "botgate_account_number_immutable"() RETURNS trigger AS $$
BEGIN
  IF NEW."accountNumber" IS DISTINCT FROM OLD."accountNumber" THEN
    RAISE EXCEPTION 'accountNumber is immutable' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Account_accountNumber_immutable"
  BEFORE UPDATE OF "accountNumber" ON "Account"
  FOR EACH ROW EXECUTE FUNCTION "botgate_account_number_immutable"();

-- Custom domains are stored normalized (lower case, ASCII/punycode, no trailing dot), so the
-- unique index on domainName is uniqueness of the normalized name across the platform.
ALTER TABLE "ChatBotCustomDomain" ADD CONSTRAINT "ChatBotCustomDomain_domainName_normalized"
  CHECK ("domainName" ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'
         AND length("domainName") <= 253);

-- Chat session keys are 64 lower-case hex characters.
ALTER TABLE "Chat" ADD CONSTRAINT "Chat_sessionKey_format" CHECK ("sessionKey" ~ '^[0-9a-f]{64}$');
