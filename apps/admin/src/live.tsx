// Live statuses: one event.onChange subscription (SSE) per signed-in tab. Each event
// invalidates the queries it affects, joins the recent-events list, and is announced in the
// page's aria-live region. Where EventSource does not exist, queries poll instead.
import type { EventView } from "@botgate/api";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { createContext, type ReactNode, useContext, useState } from "react";
import { useTRPC } from "./trpc.ts";

export const CAN_SUBSCRIBE = typeof EventSource !== "undefined";
/** Refetch interval of queries when no subscription can run. */
export const FALLBACK_POLL_MS = CAN_SUBSCRIBE ? false : 5_000;

interface Live {
  events: EventView[];
  status: string;
}

const LiveContext = createContext<Live>({ events: [], status: "idle" });

export function useLiveEvents(filter?: { chatbotId?: number; customDomainId?: number }): EventView[] {
  const { events } = useContext(LiveContext);
  return events.filter(
    (e) =>
      (filter?.chatbotId === undefined || e.chatbotId === filter.chatbotId) &&
      (filter?.customDomainId === undefined || e.customDomainId === filter.customDomainId),
  );
}

export function useLiveStatus(): string {
  return useContext(LiveContext).status;
}

/** What an event means, in a sentence for the announcement. */
export function describeEvent(event: EventView): string {
  const data = (event.data ?? {}) as Record<string, unknown>;
  const change =
    typeof data.from === "string" && typeof data.to === "string" ? `: ${data.from} → ${data.to}` : "";
  const subject =
    event.chatbotId !== null
      ? ` (chatbot ${event.chatbotId})`
      : event.customDomainId !== null
        ? ` (domain ${event.customDomainId})`
        : "";
  return `${event.type.replace(/[._]/g, " ")}${change}${subject}`;
}

export function LiveProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [events, setEvents] = useState<EventView[]>([]);
  const [announcement, setAnnouncement] = useState("");
  const subscription = useSubscription(
    trpc.event.onChange.subscriptionOptions(
      {},
      {
        enabled: CAN_SUBSCRIBE,
        onData: ({ data }) => {
          setEvents((list) => [data, ...list].slice(0, 200));
          setAnnouncement(describeEvent(data));
          // Statuses show up in lists and details of chatbots and domains, keys and tokens.
          const prefix = data.type.split(".")[0];
          if (prefix === "apiKey") void queryClient.invalidateQueries({ queryKey: trpc.apiKey.pathKey() });
          if (prefix === "adminToken" || prefix === "member" || prefix === "account")
            void queryClient.invalidateQueries({ queryKey: trpc.account.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.domain.pathKey() });
        },
      },
    ),
  );
  return (
    <LiveContext.Provider value={{ events, status: subscription.status }}>
      {children}
      <div className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </div>
    </LiveContext.Provider>
  );
}
