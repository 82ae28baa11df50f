import { accountRouter } from "./routers/account.ts";
import { apiKeyRouter } from "./routers/apiKey.ts";
import { chatbotRouter } from "./routers/chatbot.ts";
import { domainRouter } from "./routers/domain.ts";
import { eventRouter } from "./routers/event.ts";
import { providerRouter } from "./routers/provider.ts";
import { requestRouter } from "./routers/request.ts";
import { webhookRouter } from "./routers/webhook.ts";
import { router } from "./trpc.ts";

export const appRouter = router({
  account: accountRouter,
  chatbot: chatbotRouter,
  domain: domainRouter,
  apiKey: apiKeyRouter,
  request: requestRouter,
  event: eventRouter,
  provider: providerRouter,
  webhook: webhookRouter,
});

export type AppRouter = typeof appRouter;
