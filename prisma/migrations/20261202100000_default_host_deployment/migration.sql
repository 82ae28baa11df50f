-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "certificateArn" VARCHAR(2048),
ADD COLUMN     "certificateFailureReason" TEXT,
ADD COLUMN     "deployLastCheck" JSONB,
ADD COLUMN     "deployNextCheckAt" TIMESTAMP(3),
ADD COLUMN     "deploymentGeneration" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "provisioning" VARCHAR(16);


