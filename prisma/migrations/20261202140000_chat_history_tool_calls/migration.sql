-- AlterTable
ALTER TABLE "ChatHistory" ADD COLUMN     "name" VARCHAR(255),
ADD COLUMN     "toolCallId" VARCHAR(255),
ADD COLUMN     "toolCalls" JSONB;


