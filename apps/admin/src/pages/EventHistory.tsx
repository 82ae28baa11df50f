// The stored event history of one chatbot (chatbot.events) or domain (domain.events), newest
// first, page by page. Live: every event.onChange event invalidates the chatbot and domain
// queries (live.tsx), so the first page refetches as events arrive.
import type { EventView } from "@botgate/api";
import { useQuery } from "@tanstack/react-query";
import { FALLBACK_POLL_MS } from "../live.tsx";
import { useTRPC } from "../trpc.ts";
import { ErrorMessage, Loading, usePager, When } from "../ui/common.tsx";

const PAGE = 10;

function EventRows({ label, events }: { label: string; events: EventView[] }) {
  if (events.length === 0) return <p>No events yet.</p>;
  return (
    <ul className="rows" aria-label={label}>
      {events.map((event) => (
        <li key={event.id}>
          <span>
            <strong>{event.type}</strong>
            {event.from || event.to ? ` ${event.from ?? "—"} → ${event.to ?? "—"}` : ""}
            {event.reason ? `: ${event.reason}` : ""}
          </span>
          <span className="hint">
            <When at={event.createdAt} />
          </span>
        </li>
      ))}
    </ul>
  );
}

export function ChatbotEventHistory({ chatbotId }: { chatbotId: number }) {
  const trpc = useTRPC();
  const pager = usePager("Event history");
  const history = useQuery({
    ...trpc.chatbot.events.queryOptions({ id: chatbotId, limit: PAGE, cursor: pager.cursor }),
    refetchInterval: FALLBACK_POLL_MS,
  });
  return (
    <section aria-labelledby="history-heading" className="card">
      <h2 id="history-heading">Event history</h2>
      {history.isPending ? <Loading what="the event history" /> : null}
      <ErrorMessage error={history.error} />
      {history.data ? <EventRows label="Event history" events={history.data.items} /> : null}
      {history.data ? pager.controls(history.data.nextCursor) : null}
    </section>
  );
}

export function DomainEventHistory({ domainId, domainName }: { domainId: number; domainName: string }) {
  const trpc = useTRPC();
  const label = `Event history of ${domainName}`;
  const pager = usePager(label);
  const history = useQuery({
    ...trpc.domain.events.queryOptions({ id: domainId, limit: 5, cursor: pager.cursor }),
    refetchInterval: FALLBACK_POLL_MS,
  });
  return (
    <>
      <h3>Event history</h3>
      <ErrorMessage error={history.error} />
      {history.data ? <EventRows label={label} events={history.data.items} /> : null}
      {history.data ? pager.controls(history.data.nextCursor) : null}
    </>
  );
}
