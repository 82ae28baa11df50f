-- AlterTable
ALTER TABLE "ChatBot" ADD COLUMN     "admissionVersion" INTEGER NOT NULL DEFAULT 0;

-- ---------------------------------------------------------------- hand-written guarantees

-- ChatBot.admissionVersion changes whenever anything the chat origin admits a request by
-- changes: the chatbot row itself (deployment, statuses, settings), its active API keys, its
-- functions, its custom domain's verification, its owner's name and role, its account's
-- suspension. The origin keeps chatbots (and the keys presented to them) in a per-process
-- cache and reads only this number per request, so a revoked key, an undeploy or a
-- suspension stops at once on every origin process, whichever writer made the change.

-- Every update of a chatbot, including the ones the triggers below make.
CREATE FUNCTION "botgate_chatbot_admission_version"() RETURNS trigger AS $$
BEGIN
  NEW."admissionVersion" := OLD."admissionVersion" + 1;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "ChatBot_admissionVersion"
  BEFORE UPDATE ON "ChatBot"
  FOR EACH ROW EXECUTE FUNCTION "botgate_chatbot_admission_version"();

-- Rows that belong to one chatbot (its API keys, its functions), created, changed, deleted or
-- moved to another chatbot.
CREATE FUNCTION "botgate_chatbot_child_admission"() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    UPDATE "ChatBot" SET "admissionVersion" = "admissionVersion" WHERE "id" = OLD."chatbotId";
  END IF;
  IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR NEW."chatbotId" IS DISTINCT FROM OLD."chatbotId") THEN
    UPDATE "ChatBot" SET "admissionVersion" = "admissionVersion" WHERE "id" = NEW."chatbotId";
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- A key's lastUsedAt (the hint the origin writes while serving) and name are no change of
-- admission.
CREATE TRIGGER "ChatBotAPIKey_admission"
  AFTER INSERT OR DELETE OR UPDATE OF "chatbotId", "keyHash", "isActive", "revokedAt" ON "ChatBotAPIKey"
  FOR EACH ROW EXECUTE FUNCTION "botgate_chatbot_child_admission"();

-- The functions offered to the model.
CREATE TRIGGER "ChatBotFunctions_admission"
  AFTER INSERT OR DELETE OR UPDATE ON "ChatBotFunctions"
  FOR EACH ROW EXECUTE FUNCTION "botgate_chatbot_child_admission"();

-- A suspended (or reactivated) account: every chatbot of it.
CREATE FUNCTION "botgate_account_admission"() RETURNS trigger AS $$
BEGIN
  UPDATE "ChatBot" SET "admissionVersion" = "admissionVersion" WHERE "accountId" = NEW."id";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "Account_admission"
  AFTER UPDATE OF "isActive", "accountNumber" ON "Account"
  FOR EACH ROW
  WHEN (OLD."isActive" IS DISTINCT FROM NEW."isActive" OR OLD."accountNumber" IS DISTINCT FROM NEW."accountNumber")
  EXECUTE FUNCTION "botgate_account_admission"();

-- The owner's role decides the chatbot's name on hosts (name, or name.username).
CREATE FUNCTION "botgate_user_profile_admission"() RETURNS trigger AS $$
BEGIN
  UPDATE "ChatBot" SET "admissionVersion" = "admissionVersion" WHERE "userProfileId" = NEW."id";
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "UserProfile_admission"
  AFTER UPDATE OF "isAccountAdmin" ON "UserProfile"
  FOR EACH ROW
  WHEN (OLD."isAccountAdmin" IS DISTINCT FROM NEW."isAccountAdmin")
  EXECUTE FUNCTION "botgate_user_profile_admission"();

CREATE FUNCTION "botgate_user_admission"() RETURNS trigger AS $$
BEGIN
  UPDATE "ChatBot" SET "admissionVersion" = "admissionVersion"
    WHERE "userProfileId" IN (SELECT "id" FROM "UserProfile" WHERE "userId" = NEW."id");
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER "User_admission"
  AFTER UPDATE OF "username" ON "User"
  FOR EACH ROW
  WHEN (OLD."username" IS DISTINCT FROM NEW."username")
  EXECUTE FUNCTION "botgate_user_admission"();

-- A custom domain's verification or name changing already updates every attached chatbot
-- (ChatBotCustomDomain_customHosts re-derives customHost), which bumps the version above.
