// chatbot.update for every field, next to a live preview of the chat page.
import type { ChatbotView } from "@botgate/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { type FieldErrors, fieldErrorsOf } from "../../errors.ts";
import { useTRPC } from "../../trpc.ts";
import { Copyable, ErrorMessage } from "../../ui/common.tsx";
import { CheckboxField, SelectField, TextField } from "../../ui/fields.tsx";
import { changedInputOf, type FormState, formStateOf, isDirty } from "./form-state.ts";
import { ChatPreview } from "./Preview.tsx";

export function EditForm({ bot }: { bot: ChatbotView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // What the form was filled with, and from which stored version of the chatbot.
  const [base, setBase] = useState(() => ({ at: bot.updatedAt.getTime(), state: formStateOf(bot) }));
  const [state, setState] = useState<FormState>(base.state);
  // A newer stored chatbot (a refetch of data cached before a change elsewhere, another tab, a
  // job): a form without unsaved edits follows it, so it never shows (or saves) stale values.
  if (bot.updatedAt.getTime() > base.at && !isDirty(base.state, state)) {
    const next = formStateOf(bot);
    setBase({ at: bot.updatedAt.getTime(), state: next });
    setState(next);
  }
  const [localErrors, setLocalErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState(false);
  const domains = useQuery(trpc.domain.list.queryOptions({ limit: 100 }));
  const providers = useQuery(trpc.provider.list.queryOptions());
  const providerNames = [
    ...(providers.data?.builtIn ?? []).map((p) => p.name),
    ...(providers.data?.items ?? []).map((p) => p.name),
  ];
  if (!providerNames.includes(state.provider)) providerNames.unshift(state.provider);
  const update = useMutation(
    trpc.chatbot.update.mutationOptions({
      onSuccess: async (next) => {
        setBase({ at: next.updatedAt.getTime(), state: formStateOf(next) });
        setState(formStateOf(next));
        setSaved(true);
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() });
      },
    }),
  );
  const errors = { ...fieldErrorsOf(update.error), ...localErrors };
  const set =
    <K extends keyof FormState>(key: K) =>
    (value: FormState[K]) => {
      setSaved(false);
      setState((s) => ({ ...s, [key]: value }));
    };
  const text = (key: Exclude<keyof FormState, "appFileAttachment">, label: string, extra = {}) => (
    <TextField label={label} name={key} value={state[key]} onChange={set(key)} errors={errors} {...extra} />
  );
  return (
    <section aria-labelledby="edit-heading" className="card">
      <h2 id="edit-heading">Settings</h2>
      <div className="edit-layout">
        <form
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const { input, errors: parseErrors } = changedInputOf(base.state, state);
            setLocalErrors(parseErrors);
            if (Object.keys(parseErrors).length === 0) update.mutate({ id: bot.id, ...input });
          }}
        >
          <fieldset>
            <legend>Chatbot</legend>
            {text("name", "Name", { required: true, hint: "Renaming changes the default host." })}
            {text("description", "Description", { multiline: true })}
            {text("version", "Version", { hint: "Semantic version, e.g. 1.0.0." })}
            {text("tags", "Tags", { hint: "Comma-separated." })}
            {text("annotations", "Annotations (JSON object)", { multiline: true })}
            <SelectField
              label="Custom domain"
              name="customDomainId"
              value={state.customDomainId}
              onChange={set("customDomainId")}
              errors={errors}
              options={[
                { value: "", label: "None" },
                ...(domains.data?.items ?? []).map((d) => ({
                  value: String(d.id),
                  label: `${d.domainName}${d.isVerified ? "" : " (unverified)"}`,
                })),
              ]}
            />
          </fieldset>
          <fieldset>
            <legend>Model</legend>
            <SelectField
              label="Provider"
              name="provider"
              value={state.provider}
              onChange={set("provider")}
              errors={errors}
              hint="Built-in providers and the account's own (Providers page)."
              options={providerNames.map((name) => ({ value: name, label: name }))}
            />
            {text("defaultModel", "Default model")}
            {text("defaultSystemRole", "System prompt", { multiline: true })}
            {text("defaultTemperature", "Temperature (0–2)", { inputMode: "decimal" })}
            {text("defaultMaxTokens", "Max tokens", { inputMode: "numeric" })}
          </fieldset>
          <fieldset>
            <legend>Chat page</legend>
            {text("appName", "Title")}
            {text("appAssistant", "Assistant name")}
            {text("appWelcomeMessage", "Welcome message")}
            {text("appExamplePrompts", "Example prompts", { multiline: true, hint: "One per line." })}
            {text("appPlaceholder", "Input placeholder")}
            {text("appInfoUrl", "Info URL", { type: "url" })}
            {text("appLogoUrl", "Logo URL", { type: "url" })}
            {text("appBackgroundImageUrl", "Background image URL", { type: "url" })}
            <CheckboxField
              label="Allow file attachments"
              name="appFileAttachment"
              checked={state.appFileAttachment}
              onChange={set("appFileAttachment")}
              errors={errors}
            />
          </fieldset>
          <fieldset>
            <legend>Embedding</legend>
            <p className="hint">
              Add this tag to a page of your site for a chat launcher button; it opens the chat page in a
              frame.
            </p>
            <Copyable
              label="Widget tag for your site"
              value={`<script src="${(bot.customUrl ?? bot.defaultUrl).replace(/\/+$/, "")}/widget.js" async></script>`}
            />
            {text("appEmbedOrigins", "Origins allowed to embed", {
              multiline: true,
              hint: "One http(s) origin per line, e.g. https://www.example.com. Only these sites may show the chat page or widget in a frame; empty: none.",
            })}
          </fieldset>
          <fieldset>
            <legend>Rate limits</legend>
            <p className="hint">Chat requests allowed per sliding window. Empty: the platform default.</p>
            {text("rateLimitRequests", "Requests per window (whole chatbot)", { inputMode: "numeric" })}
            {text("rateLimitClientRequests", "Requests per window (each client)", { inputMode: "numeric" })}
            {text("rateLimitWindowSeconds", "Window (seconds)", { inputMode: "numeric" })}
          </fieldset>
          <ErrorMessage
            error={Object.keys(localErrors).length ? new Error("Some fields need attention.") : update.error}
          />
          <div className="actions">
            <button type="submit" disabled={update.isPending}>
              Save settings
            </button>
            <span role="status">{saved ? "Saved." : ""}</span>
          </div>
        </form>
        <ChatPreview state={state} />
      </div>
    </section>
  );
}
