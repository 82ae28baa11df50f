-- CreateTable
CREATE TABLE "LlmProvider" (
    "id" SERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "accountId" INTEGER NOT NULL,
    "name" VARCHAR(63) NOT NULL,
    "baseUrl" VARCHAR(2048) NOT NULL,
    "apiKeySealed" TEXT NOT NULL,
    "apiKeyHint" VARCHAR(8) NOT NULL,
    "allowedModels" VARCHAR(255)[] DEFAULT ARRAY[]::VARCHAR(255)[],
    "defaultModel" VARCHAR(255),
    "timeoutMs" INTEGER NOT NULL DEFAULT 60000,
    "idleTimeoutMs" INTEGER NOT NULL DEFAULT 30000,

    CONSTRAINT "LlmProvider_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "LlmProvider_createdAt_idx" ON "LlmProvider"("createdAt");

-- CreateIndex
CREATE INDEX "LlmProvider_updatedAt_idx" ON "LlmProvider"("updatedAt");

-- CreateIndex
CREATE UNIQUE INDEX "LlmProvider_accountId_name_key" ON "LlmProvider"("accountId", "name");

-- AddForeignKey
ALTER TABLE "LlmProvider" ADD CONSTRAINT "LlmProvider_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE CASCADE ON UPDATE CASCADE;


