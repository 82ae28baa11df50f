// provider.*: the account's OpenAI-compatible endpoints (keys write-only), and a test call.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf } from "../errors.ts";
import { useTRPC } from "../trpc.ts";
import { ConfirmButton, ErrorMessage, Loading } from "../ui/common.tsx";
import { TextField } from "../ui/fields.tsx";

const list = (value: string) =>
  value
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

/** A failed test call's error (code and message), in one line. */
function describeFailure(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { code, message, providerMessage } = error as {
    code?: unknown;
    message?: unknown;
    providerMessage?: unknown;
  };
  const said = typeof providerMessage === "string" ? `the provider said: ${providerMessage}` : undefined;
  return [code, message, said].filter((part) => typeof part === "string").join(": ");
}

export function ProvidersPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  const providers = useQuery(trpc.provider.list.queryOptions());
  const isAdmin = me.data?.isAccountAdmin ?? false;
  return (
    <>
      <h1>Providers</h1>
      {isAdmin ? (
        <ProviderForm />
      ) : (
        <p>Only account admins add providers; pick one in a chatbot's settings.</p>
      )}
      {providers.isPending ? <Loading what="providers" /> : null}
      <ErrorMessage error={providers.error} />
      {providers.data ? (
        <section aria-labelledby="builtin-heading" className="card">
          <h2 id="builtin-heading">Built in</h2>
          <ul className="rows">
            {providers.data.builtIn.map((p) => (
              <li key={p.name}>
                <strong>{p.name}</strong>
                <span className="hint">
                  {p.allowedModels.length ? p.allowedModels.join(", ") : "any model"}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {providers.data?.items.map((p) => (
        <ProviderCard key={p.id} provider={p} isAdmin={isAdmin} />
      ))}
    </>
  );
}

type Provider = {
  id: number;
  name: string;
  baseUrl: string;
  apiKeyHint: string;
  allowedModels: string[];
  defaultModel: string | null;
  timeoutMs: number;
  idleTimeoutMs: number;
};

function ProviderForm({ existing }: { existing?: Provider }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(existing?.name ?? "");
  const [baseUrl, setBaseUrl] = useState(existing?.baseUrl ?? "");
  const [apiKey, setApiKey] = useState("");
  const [models, setModels] = useState(existing?.allowedModels.join(", ") ?? "");
  const [defaultModel, setDefaultModel] = useState(existing?.defaultModel ?? "");
  const [timeoutMs, setTimeoutMs] = useState(String(existing?.timeoutMs ?? 60_000));
  const [idle, setIdle] = useState(String(existing?.idleTimeoutMs ?? 30_000));
  const onSuccess = () => {
    // The key is write-only: it leaves the page once sent.
    setApiKey("");
    return queryClient.invalidateQueries({ queryKey: trpc.provider.pathKey() });
  };
  const create = useMutation(
    trpc.provider.create.mutationOptions({
      onSuccess: () => {
        setName("");
        setBaseUrl("");
        setModels("");
        setDefaultModel("");
        return onSuccess();
      },
    }),
  );
  const update = useMutation(trpc.provider.update.mutationOptions({ onSuccess }));
  const mutation = existing ? update : create;
  const errors = fieldErrorsOf(mutation.error);
  const headingId = `provider-form-${existing?.id ?? "new"}`;
  return (
    <section aria-labelledby={headingId} className={existing ? "" : "card"}>
      <h2 id={headingId}>{existing ? `Edit ${existing.name}` : "New provider"}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const fields = {
            baseUrl,
            allowedModels: list(models),
            defaultModel: defaultModel.trim() || null,
            timeoutMs: Number(timeoutMs),
            idleTimeoutMs: Number(idle),
            ...(apiKey ? { apiKey } : {}),
          };
          if (existing) update.mutate({ id: existing.id, ...fields });
          else create.mutate({ name, apiKey, ...fields });
        }}
      >
        {existing ? null : (
          <TextField label="Name" name="name" value={name} onChange={setName} errors={errors} required />
        )}
        <TextField
          label="Base URL"
          name="baseUrl"
          type="url"
          value={baseUrl}
          onChange={setBaseUrl}
          errors={errors}
        />
        <TextField
          label="API key"
          name="apiKey"
          type="password"
          value={apiKey}
          onChange={setApiKey}
          errors={errors}
          hint={
            existing
              ? `Stored: ${existing.apiKeyHint}. Leave empty to keep it.`
              : "Stored sealed; never shown again."
          }
        />
        <TextField
          label="Allowed models"
          name="allowedModels"
          value={models}
          onChange={setModels}
          errors={errors}
          hint="Comma-separated; empty allows any."
        />
        <TextField
          label="Default model"
          name="defaultModel"
          value={defaultModel}
          onChange={setDefaultModel}
          errors={errors}
        />
        <TextField
          label="Timeout (ms)"
          name="timeoutMs"
          inputMode="numeric"
          value={timeoutMs}
          onChange={setTimeoutMs}
          errors={errors}
        />
        <TextField
          label="Idle timeout (ms)"
          name="idleTimeoutMs"
          inputMode="numeric"
          value={idle}
          onChange={setIdle}
          errors={errors}
        />
        <ErrorMessage error={mutation.error} />
        <button type="submit" disabled={mutation.isPending}>
          {existing ? `Save ${existing.name}` : "Add provider"}
        </button>
      </form>
    </section>
  );
}

function ProviderCard({ provider, isAdmin }: { provider: Provider; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const test = useMutation(trpc.provider.test.mutationOptions());
  const remove = useMutation(
    trpc.provider.delete.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.provider.pathKey() }),
    }),
  );
  const headingId = `provider-${provider.id}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{provider.name}</h2>
      <p className="hint">
        {provider.baseUrl} · key {provider.apiKeyHint} · models {provider.allowedModels.join(", ") || "any"}
      </p>
      {isAdmin ? (
        <>
          <ProviderForm existing={provider} />
          <div className="actions">
            <button type="button" disabled={test.isPending} onClick={() => test.mutate({ id: provider.id })}>
              Test {provider.name}
            </button>
            <ConfirmButton
              label={`Delete ${provider.name}`}
              question={`Delete the provider ${provider.name}?`}
              confirmLabel="Delete provider"
              busy={remove.isPending}
              onConfirm={() => remove.mutateAsync({ id: provider.id })}
            />
          </div>
          <ErrorMessage error={test.error ?? remove.error} />
          {test.data ? (
            <p role="status">
              {test.data.ok
                ? `${test.data.model} answered in ${test.data.latencyMs} ms.`
                : `${test.data.model} failed after ${test.data.latencyMs} ms: ${describeFailure(test.data.error)}`}
            </p>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
