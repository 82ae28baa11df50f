// apiKey.create (the plaintext shown once), apiKey.list, apiKey.revoke.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf } from "../../errors.ts";
import { useTRPC } from "../../trpc.ts";
import { Badge, ConfirmButton, Copyable, ErrorMessage, Loading, When } from "../../ui/common.tsx";
import { TextField } from "../../ui/fields.tsx";

export function ApiKeys({ chatbotId }: { chatbotId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const keys = useQuery(trpc.apiKey.list.queryOptions({ chatbotId }));
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.apiKey.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() }),
    ]);
  const create = useMutation(trpc.apiKey.create.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(trpc.apiKey.revoke.mutationOptions({ onSuccess: invalidate }));
  return (
    <section aria-labelledby="keys-heading" className="card">
      <h2 id="keys-heading">API keys</h2>
      <p className="hint">While a chatbot has an active key, end users must present one.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ chatbotId, name });
        }}
      >
        <TextField
          label="Key name"
          name="name"
          value={name}
          onChange={setName}
          errors={fieldErrorsOf(create.error)}
        />
        <ErrorMessage error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Create API key
        </button>
      </form>
      {create.data ? (
        <div className="notice" role="status">
          <p>
            <strong>Copy this key now: it is never shown again.</strong>
          </p>
          <Copyable label="New API key" value={create.data.key} />
        </div>
      ) : null}
      {keys.isPending ? <Loading what="keys" /> : null}
      <ErrorMessage error={keys.error ?? revoke.error} />
      {keys.data?.length ? (
        <ul className="rows">
          {keys.data.map((key) => (
            <li key={key.id}>
              <span>
                <strong>{key.name || "(unnamed)"}</strong> <code>{key.prefix}…</code>{" "}
                <Badge ok={key.isActive}>{key.isActive ? "active" : "revoked"}</Badge>
              </span>
              <span className="hint">
                Created <When at={key.createdAt} />, last used <When at={key.lastUsedAt} />
              </span>
              {key.isActive ? (
                <ConfirmButton
                  label={`Revoke ${key.name || key.prefix}`}
                  question={`Revoke the key ${key.name || key.prefix}?`}
                  confirmLabel="Revoke key"
                  busy={revoke.isPending}
                  onConfirm={() => revoke.mutateAsync({ id: key.id })}
                />
              ) : null}
            </li>
          ))}
        </ul>
      ) : keys.data ? (
        <p>No keys yet.</p>
      ) : null}
    </section>
  );
}
