-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "rateLimitClientRequests" INTEGER,
ADD COLUMN     "rateLimitRequests" INTEGER,
ADD COLUMN     "rateLimitWindowSeconds" INTEGER;


