-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "appEmbedOrigins" TEXT[] DEFAULT ARRAY[]::TEXT[];


