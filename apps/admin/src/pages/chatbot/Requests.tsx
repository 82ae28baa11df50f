// request.list: the chatbot's request log, newest first, page by page.
import { useQuery } from "@tanstack/react-query";
import { FALLBACK_POLL_MS } from "../../live.tsx";
import { useTRPC } from "../../trpc.ts";
import { ErrorMessage, Loading, usePager, When } from "../../ui/common.tsx";

export function RequestLog({ chatbotId }: { chatbotId: number }) {
  const trpc = useTRPC();
  const pager = usePager("Request log");
  const requests = useQuery({
    ...trpc.request.list.queryOptions({ chatbotId, limit: 20, cursor: pager.cursor }),
    refetchInterval: FALLBACK_POLL_MS,
  });
  return (
    <section aria-labelledby="requests-heading" className="card">
      <h2 id="requests-heading">Request log</h2>
      <button type="button" className="small" onClick={() => requests.refetch()}>
        Refresh request log
      </button>
      {requests.isPending ? <Loading what="requests" /> : null}
      <ErrorMessage error={requests.error} />
      {requests.data?.items.length ? (
        <ul className="rows">
          {requests.data.items.map((entry) => (
            <li key={entry.id}>
              <span>
                <When at={entry.createdAt} /> {entry.isAggregation ? "(aggregated)" : ""}
              </span>
              <span className="hint">session {entry.sessionKey ?? "—"}</span>
              <details>
                <summary>Request #{entry.id}</summary>
                <pre>{JSON.stringify(entry.request, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      ) : requests.data ? (
        <p>No requests yet.</p>
      ) : null}
      {requests.data ? pager.controls(requests.data.nextCursor) : null}
    </section>
  );
}
