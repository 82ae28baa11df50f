// The demo account `npm run dev` creates once: an admin, a token and a few chatbots, made
// through the real admin API (tRPC over HTTP) like a customer would.
import type { AppRouter } from "@botgate/api";
import { bootstrapAccount } from "@botgate/api";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { Runtime } from "../apps/api/src/runtime.ts";

const DEMO_CHATBOTS = [
  { name: "support", deploy: true, appName: "Support Bot", appWelcomeMessage: "How can I help?" },
  { name: "sales", deploy: true, appName: "Sales Assistant", appWelcomeMessage: "Looking for a plan?" },
  { name: "playground", deploy: false, appName: "Playground", appWelcomeMessage: "Sandbox only." },
];

export async function seedDemo(runtime: Runtime, apiUrl: string) {
  const account = await bootstrapAccount(runtime.db, { username: "demo", companyName: "Demo Inc." });
  const client = createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: `${apiUrl}/trpc`,
        transformer: superjson,
        headers: { authorization: `Bearer ${account.token}` },
      }),
    ],
  });
  const chatbots: { name: string; url: string }[] = [];
  for (const spec of DEMO_CHATBOTS) {
    const created = await client.chatbot.create.mutate({
      name: spec.name,
      provider: "echo",
      appName: spec.appName,
      appWelcomeMessage: spec.appWelcomeMessage,
      defaultSystemRole: "You are a helpful assistant.",
    });
    if (spec.deploy) await client.chatbot.deploy.mutate({ id: created.id });
    const chatbot = await client.chatbot.get.query({ id: created.id });
    chatbots.push({ name: spec.name, url: chatbot.url });
  }
  return { accountNumber: account.accountNumber, username: account.username, token: account.token, chatbots };
}
