// webhook.*: endpoints (the signing secret shown once), test sends, re-enabling, deliveries.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf } from "../errors.ts";
import { useTRPC } from "../trpc.ts";
import { Badge, ConfirmButton, Copyable, ErrorMessage, Loading, usePager, When } from "../ui/common.tsx";
import { TextField } from "../ui/fields.tsx";

export function WebhooksPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const endpoints = useQuery(trpc.webhook.list.queryOptions());
  const isAdmin = me.data?.isAccountAdmin ?? false;
  return (
    <>
      <h1>Webhooks</h1>
      {isAdmin ? <AddEndpoint /> : <p>Only account admins manage webhook endpoints.</p>}
      {endpoints.isPending ? <Loading what="endpoints" /> : null}
      <ErrorMessage error={endpoints.error} />
      {endpoints.data?.length === 0 ? <p>No endpoints yet.</p> : null}
      {endpoints.data?.map((endpoint) => (
        <EndpointCard key={endpoint.id} endpoint={endpoint} isAdmin={isAdmin} />
      ))}
    </>
  );
}

function AddEndpoint() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [types, setTypes] = useState("");
  const create = useMutation(
    trpc.webhook.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.webhook.pathKey() }),
    }),
  );
  const errors = fieldErrorsOf(create.error);
  return (
    <section aria-labelledby="add-webhook-heading" className="card">
      <h2 id="add-webhook-heading">New endpoint</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const eventTypes = types
            .split(",")
            .map((t) => t.trim())
            .filter(Boolean);
          create.mutate({ url, description, eventTypes });
        }}
      >
        <TextField
          label="Endpoint URL"
          name="url"
          type="url"
          value={url}
          onChange={setUrl}
          errors={errors}
          required
        />
        <TextField
          label="Description"
          name="description"
          value={description}
          onChange={setDescription}
          errors={errors}
        />
        <TextField
          label="Event types"
          name="eventTypes"
          value={types}
          onChange={setTypes}
          errors={errors}
          hint="Comma-separated, e.g. dns.status_changed; empty sends every type."
        />
        <ErrorMessage error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Add endpoint
        </button>
      </form>
      {create.data ? (
        <div className="notice" role="status">
          <p>
            <strong>Copy the signing secret now: it is never shown again.</strong>
          </p>
          <Copyable label="Signing secret" value={create.data.secret} />
        </div>
      ) : null}
    </section>
  );
}

type Endpoint = {
  id: number;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  disabledReason: string | null;
  failingSince: Date | null;
};

function EndpointCard({ endpoint, isAdmin }: { endpoint: Endpoint; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pager = usePager(`Deliveries of ${endpoint.url}`);
  const deliveries = useQuery(
    trpc.webhook.deliveries.queryOptions({ id: endpoint.id, limit: 10, cursor: pager.cursor }),
  );
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.webhook.pathKey() });
  const test = useMutation(trpc.webhook.test.mutationOptions({ onSuccess }));
  const enable = useMutation(trpc.webhook.enable.mutationOptions({ onSuccess }));
  const remove = useMutation(trpc.webhook.delete.mutationOptions({ onSuccess }));
  const headingId = `webhook-${endpoint.id}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{endpoint.url}</h2>
      <p>
        <Badge ok={endpoint.enabled}>{endpoint.enabled ? "enabled" : "disabled"}</Badge>{" "}
        {endpoint.description} ·{" "}
        {endpoint.eventTypes.length ? endpoint.eventTypes.join(", ") : "every event type"}
      </p>
      {endpoint.disabledReason ? <p className="field-error">Disabled: {endpoint.disabledReason}</p> : null}
      {endpoint.failingSince ? (
        <p className="hint">
          Failing since <When at={endpoint.failingSince} />
        </p>
      ) : null}
      {isAdmin ? (
        <div className="actions">
          <button type="button" disabled={test.isPending} onClick={() => test.mutate({ id: endpoint.id })}>
            Send a test event to {endpoint.url}
          </button>
          {endpoint.enabled ? null : (
            <button
              type="button"
              disabled={enable.isPending}
              onClick={() => enable.mutate({ id: endpoint.id })}
            >
              Enable {endpoint.url}
            </button>
          )}
          <ConfirmButton
            label={`Delete ${endpoint.url}`}
            question={`Delete the endpoint ${endpoint.url}?`}
            confirmLabel="Delete endpoint"
            busy={remove.isPending}
            onConfirm={() => remove.mutateAsync({ id: endpoint.id })}
          />
        </div>
      ) : null}
      <ErrorMessage error={test.error ?? enable.error ?? remove.error} />
      {test.data ? (
        <p role="status">
          Test delivery: {test.data.status}
          {test.data.lastResponseStatus ? ` (HTTP ${test.data.lastResponseStatus})` : ""}
          {test.data.lastError ? `: ${test.data.lastError}` : ""}
        </p>
      ) : null}
      <h3>Deliveries</h3>
      <ErrorMessage error={deliveries.error} />
      <ul className="rows">
        {deliveries.data?.items.map((d) => (
          <li key={d.id}>
            <span>
              Event {d.eventId}: <strong>{d.status}</strong>, {d.attempts} attempt(s)
              {d.lastResponseStatus ? `, HTTP ${d.lastResponseStatus}` : ""}
            </span>
            <span className="hint">
              {d.lastError ?? ""} <When at={d.lastAttemptAt ?? d.createdAt} />
            </span>
          </li>
        ))}
      </ul>
      {deliveries.data ? pager.controls(deliveries.data.nextCursor) : null}
    </section>
  );
}
