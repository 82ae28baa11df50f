// The chatbot's status events as they arrive (event.onChange), newest first.
import { describeEvent, useLiveEvents, useLiveStatus } from "../../live.tsx";
import { When } from "../../ui/common.tsx";

/** useSubscription's states, as the reader would say them. */
const STREAM_STATES: Record<string, string> = {
  idle: "off",
  connecting: "connecting",
  pending: "connected",
  error: "interrupted, reconnecting",
};

export function LiveEventList({ filter }: { filter: { chatbotId?: number; customDomainId?: number } }) {
  const events = useLiveEvents(filter);
  const status = useLiveStatus();
  return (
    <section aria-labelledby="events-heading" className="card">
      <h2 id="events-heading">Events</h2>
      <p className="hint">Live since you signed in (event stream: {STREAM_STATES[status] ?? status}).</p>
      {events.length ? (
        <ul className="rows" aria-label="Events">
          {events.map((event) => (
            <li key={event.id}>
              <span>{describeEvent(event)}</span>
              <span className="hint">
                <When at={event.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p>No events since you signed in.</p>
      )}
    </section>
  );
}
