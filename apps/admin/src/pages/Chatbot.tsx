// One chatbot: statuses (live), deploy/undeploy, every host and URL, settings with a
// preview, API keys, request log, events, delete.
import type { ChatbotView } from "@botgate/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocation } from "wouter";
import { FALLBACK_POLL_MS } from "../live.tsx";
import { useTRPC } from "../trpc.ts";
import { Badge, ConfirmButton, Copyable, ErrorMessage, Loading, When } from "../ui/common.tsx";
import { ApiKeys } from "./chatbot/ApiKeys.tsx";
import { EditForm } from "./chatbot/EditForm.tsx";
import { LiveEventList } from "./chatbot/Events.tsx";
import { Functions } from "./chatbot/Functions.tsx";
import { RequestLog } from "./chatbot/Requests.tsx";
import { DnsCheckView } from "./DnsChecks.tsx";
import { ChatbotEventHistory } from "./EventHistory.tsx";

export function ChatbotPage({ id }: { id: number }) {
  const trpc = useTRPC();
  const bot = useQuery({ ...trpc.chatbot.get.queryOptions({ id }), refetchInterval: FALLBACK_POLL_MS });
  if (bot.isPending) return <Loading what="the chatbot" />;
  if (bot.error) return <ErrorMessage error={bot.error} />;
  const data = bot.data;
  return (
    <>
      <h1>{data.name}</h1>
      <Status bot={data} />
      <Hosts bot={data} />
      {/* Keyed by id: a refetch after saving must not remount the form and drop "Saved."; the
          form itself follows changes stored elsewhere while it has no unsaved edits. */}
      <EditForm key={data.id} bot={data} />
      <Functions chatbotId={data.id} />
      <ApiKeys chatbotId={data.id} />
      <RequestLog chatbotId={data.id} />
      <LiveEventList filter={{ chatbotId: data.id }} />
      <ChatbotEventHistory chatbotId={data.id} />
      <DeleteChatbot bot={data} />
    </>
  );
}

function Status({ bot }: { bot: ChatbotView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() });
  const deploy = useMutation(trpc.chatbot.deploy.mutationOptions({ onSuccess }));
  const undeploy = useMutation(trpc.chatbot.undeploy.mutationOptions({ onSuccess }));
  return (
    <section aria-labelledby="status-heading" className="card">
      <h2 id="status-heading">Status</h2>
      <dl className="status" aria-live="polite">
        <dt>Ready</dt>
        <dd>
          <Badge ok={bot.ready}>{bot.ready ? "ready" : "not ready"}</Badge>
        </dd>
        <dt>Deployed</dt>
        <dd>{bot.deployed ? "yes" : "no"}</dd>
        <dt>Mode</dt>
        <dd>{bot.mode}</dd>
        <dt>DNS</dt>
        <dd>{bot.dnsVerificationStatus}</dd>
        <dt>TLS certificate</dt>
        <dd>{bot.tlsCertificateIssuanceStatus}</dd>
        <dt>API key required</dt>
        <dd>{bot.apiKeyRequired ? "yes" : "no"}</dd>
        <dt>Owner</dt>
        <dd>{bot.owner.username}</dd>
        <dt>Provisioning</dt>
        <dd>{bot.provisioning ?? "not yet deployed"}</dd>
        <dt>Next check</dt>
        <dd>{bot.nextCheckAt ? <When at={bot.nextCheckAt} /> : "none scheduled"}</dd>
      </dl>
      {bot.certificateFailureReason ? (
        <p className="field-error">Certificate failed: {bot.certificateFailureReason}</p>
      ) : null}
      {bot.dnsCheck ? (
        <>
          <h3>Last DNS check of the default host</h3>
          <DnsCheckView check={bot.dnsCheck} />
        </>
      ) : null}
      <ErrorMessage error={deploy.error ?? undeploy.error} />
      <div className="actions">
        {bot.deployed ? (
          <button type="button" disabled={undeploy.isPending} onClick={() => undeploy.mutate({ id: bot.id })}>
            Undeploy
          </button>
        ) : (
          <button type="button" disabled={deploy.isPending} onClick={() => deploy.mutate({ id: bot.id })}>
            Deploy
          </button>
        )}
        <a href={bot.urlChatbot} target="_blank" rel="noopener noreferrer">
          Open the chat page
        </a>
      </div>
    </section>
  );
}

function Hosts({ bot }: { bot: ChatbotView }) {
  const rows: [string, string | null][] = [
    ["Current URL", bot.url],
    ["Current host", bot.hostname],
    ["Chat page", bot.urlChatbot],
    ["Chat config", bot.urlChatConfig],
    ["Default URL", bot.defaultUrl],
    ["Default host", bot.defaultHost],
    ["Custom URL", bot.customUrl],
    ["Custom host", bot.customHost],
    ["Sandbox URL", bot.sandboxUrl],
    ["Sandbox host", bot.sandboxHost],
    ["OpenAI-compatible base URL", `${bot.url.replace(/\/+$/, "")}/v1`],
    ["Widget tag", `<script src="${bot.url.replace(/\/+$/, "")}/widget.js" async></script>`],
  ];
  return (
    <section aria-labelledby="hosts-heading" className="card">
      <h2 id="hosts-heading">Hosts and URLs</h2>
      {rows.map(([label, value]) => (value ? <Copyable key={label} label={label} value={value} /> : null))}
    </section>
  );
}

function DeleteChatbot({ bot }: { bot: ChatbotView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [, navigate] = useLocation();
  const remove = useMutation(
    trpc.chatbot.delete.mutationOptions({
      onSuccess: async () => {
        navigate("/chatbots");
        await queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() });
      },
    }),
  );
  return (
    <section aria-labelledby="danger-heading" className="card">
      <h2 id="danger-heading">Delete</h2>
      <ConfirmButton
        label="Delete chatbot"
        question={`Delete ${bot.name}? Its keys and request log go with it.`}
        confirmLabel="Delete for good"
        busy={remove.isPending}
        onConfirm={() => remove.mutateAsync({ id: bot.id })}
      />
    </section>
  );
}
