// The typed admin API client: AppRouter's types straight from @botgate/api. Queries and
// mutations go batched over HTTP; subscriptions (event.onChange) over SSE, whose requests
// cannot carry headers, so the token rides in tRPC's connectionParams.
import type { AppRouter } from "@botgate/api";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCContext } from "@trpc/tanstack-react-query";
import superjson from "superjson";

export const { TRPCProvider, useTRPC } = createTRPCContext<AppRouter>();

/** Build-time setting first, then config.js, then the page's own origin. */
export function apiBaseUrl(): string {
  const configured = import.meta.env.VITE_BOTGATE_API_URL || window.BOTGATE_ADMIN?.apiUrl || "";
  return (configured || window.location.origin).replace(/\/+$/, "");
}

export function createClient(token: string) {
  const url = `${apiBaseUrl()}/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, transformer: superjson, connectionParams: () => ({ token }) }),
        false: httpBatchLink({
          url,
          transformer: superjson,
          maxItems: 20,
          headers: () => ({ authorization: `Bearer ${token}` }),
        }),
      }),
    ],
  });
}

export type AdminClient = ReturnType<typeof createClient>;
