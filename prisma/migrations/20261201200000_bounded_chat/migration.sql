-- DropIndex
DROP INDEX "ChatBotRequests_sessionKey_idx";

-- AlterTable
ALTER TABLE "ChatHistory" DROP COLUMN "request",
DROP COLUMN "response";

-- CreateIndex
CREATE INDEX "ChatBotRequests_sessionKey_id_idx" ON "ChatBotRequests"("sessionKey", "id");

-- Hand-written: the request log keeps metadata only. Rows written before this migration
-- carried the client's whole conversation; keep its length, drop the messages.
UPDATE "ChatBotRequests"
SET "request" = ("request" - 'messages')
  || jsonb_build_object('message_count', jsonb_array_length("request" -> 'messages'))
WHERE jsonb_typeof("request" -> 'messages') = 'array';
