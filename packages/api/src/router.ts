import { accountRouter } from "./routers/account.ts";
import { apiKeyRouter } from "./routers/apiKey.ts";
import { chatbotRouter } from "./routers/chatbot.ts";
import { domainRouter } from "./routers/domain.ts";
import { requestRouter } from "./routers/request.ts";
import { webhookRouter } from "./routers/webhook.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  account: accountRouter,
  chatbot: chatbotRouter,
  domain: domainRouter,
  apiKey: apiKeyRouter,
  request: requestRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
