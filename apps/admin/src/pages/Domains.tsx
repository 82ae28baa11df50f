// Custom domains: domain.create, the DNS records to create, verification status (domain.get,
// live), domain.verify ("check now"), attaching to chatbots (chatbot.update), domain.delete.
import type { DomainView } from "@botgate/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf } from "../errors.ts";
import { FALLBACK_POLL_MS } from "../live.tsx";
import { useTRPC } from "../trpc.ts";
import { Badge, ConfirmButton, Copyable, ErrorMessage, Loading, usePager, When } from "../ui/common.tsx";
import { SelectField, TextField } from "../ui/fields.tsx";
import { DnsCheckView } from "./DnsChecks.tsx";
import { DomainEventHistory } from "./EventHistory.tsx";

export function DomainsPage() {
  const trpc = useTRPC();
  const pager = usePager("Domain");
  const me = useQuery(trpc.account.me.queryOptions());
  const domains = useQuery({
    ...trpc.domain.list.queryOptions({ limit: 20, cursor: pager.cursor }),
    refetchInterval: FALLBACK_POLL_MS,
  });
  const isAdmin = me.data?.isAccountAdmin ?? false;
  return (
    <>
      <h1>Custom domains</h1>
      {isAdmin ? (
        <AddDomain />
      ) : (
        <p>Only account admins add and verify domains; you may attach them to your chatbots.</p>
      )}
      {domains.isPending ? <Loading what="domains" /> : null}
      <ErrorMessage error={domains.error} />
      {domains.data?.items.length === 0 ? <p>No domains yet.</p> : null}
      {domains.data?.items.map((domain) => (
        <DomainCard key={domain.id} domainId={domain.id} initial={domain} isAdmin={isAdmin} />
      ))}
      {domains.data ? pager.controls(domains.data.nextCursor) : null}
    </>
  );
}

function AddDomain() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [domainName, setDomainName] = useState("");
  const create = useMutation(
    trpc.domain.create.mutationOptions({
      onSuccess: async () => {
        setDomainName("");
        await queryClient.invalidateQueries({ queryKey: trpc.domain.pathKey() });
      },
    }),
  );
  return (
    <section aria-labelledby="add-domain-heading" className="card">
      <h2 id="add-domain-heading">Add a domain</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ domainName });
        }}
      >
        <TextField
          label="Domain name"
          name="domainName"
          value={domainName}
          onChange={setDomainName}
          errors={fieldErrorsOf(create.error)}
          required
          hint="e.g. chat.example.com. Chatbots answer at <name>.<domain>."
        />
        <ErrorMessage error={create.error} />
        <button type="submit" disabled={create.isPending}>
          Add domain
        </button>
      </form>
    </section>
  );
}

function DomainCard({
  domainId,
  initial,
  isAdmin,
}: {
  domainId: number;
  initial: DomainView;
  isAdmin: boolean;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const detail = useQuery({
    ...trpc.domain.get.queryOptions({ id: domainId }),
    initialData: initial,
    refetchInterval: FALLBACK_POLL_MS,
  });
  const domain = detail.data;
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.domain.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() }),
    ]);
  const verify = useMutation(trpc.domain.verify.mutationOptions({ onSuccess: invalidate }));
  const remove = useMutation(trpc.domain.delete.mutationOptions({ onSuccess: invalidate }));
  const headingId = `domain-${domain.id}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{domain.domainName}</h2>
      <p aria-live="polite">
        <Badge ok={domain.isVerified ? true : domain.failureReason ? false : null}>
          {domain.isVerified ? "verified" : domain.failureReason ? "verification failed" : "waiting for DNS"}
        </Badge>{" "}
        Last checked <When at={domain.lastCheckedAt} />
        {domain.verifiedAt ? (
          <>
            , verified <When at={domain.verifiedAt} />
          </>
        ) : null}
      </p>
      {domain.failureReason ? <p className="field-error">Why: {domain.failureReason}</p> : null}
      <Diagnostics domain={domain} />
      {domain.claimExpiresAt ? (
        <p className="hint">
          This claim lapses <When at={domain.claimExpiresAt} /> unless verified first.
        </p>
      ) : null}
      <h3>DNS records to create</h3>
      <p className="hint">Publish this TXT record to prove you own the domain:</p>
      <Copyable label="TXT name" value={domain.instructions.txtRecord.name} />
      <Copyable label="TXT value" value={domain.instructions.txtRecord.value} />
      <p className="hint">Delegate the domain to these name servers (NS records):</p>
      {domain.instructions.nameServers.map((ns, i) => (
        <Copyable key={ns} label={`Name server ${i + 1}`} value={ns} />
      ))}
      <ErrorMessage error={verify.error ?? remove.error} />
      <AttachToChatbot domain={domain} />
      <DomainEventHistory domainId={domain.id} domainName={domain.domainName} />
      {isAdmin ? (
        <div className="actions">
          <button type="button" disabled={verify.isPending} onClick={() => verify.mutate({ id: domain.id })}>
            Check {domain.domainName} now
          </button>
          <ConfirmButton
            label={`Delete ${domain.domainName}`}
            question={`Delete ${domain.domainName}? Chatbots on it go back to their default host.`}
            confirmLabel="Delete domain"
            busy={remove.isPending}
            onConfirm={() => remove.mutateAsync({ id: domain.id })}
          />
        </div>
      ) : null}
    </section>
  );
}

function AttachToChatbot({ domain }: { domain: DomainView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [chatbotId, setChatbotId] = useState("");
  const bots = useQuery(trpc.chatbot.list.queryOptions({ limit: 100 }));
  const attach = useMutation(
    trpc.chatbot.update.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.chatbot.pathKey() }),
    }),
  );
  const attached = (bots.data?.items ?? []).filter((b) => b.customDomainId === domain.id);
  return (
    <form
      className="attach"
      onSubmit={(e) => {
        e.preventDefault();
        if (chatbotId) attach.mutate({ id: Number(chatbotId), customDomainId: domain.id });
      }}
    >
      <p>Attached chatbots: {attached.length ? attached.map((b) => b.name).join(", ") : "none"}</p>
      <SelectField
        label={`Attach a chatbot to ${domain.domainName}`}
        name="customDomainId"
        value={chatbotId}
        onChange={setChatbotId}
        errors={fieldErrorsOf(attach.error)}
        options={[
          { value: "", label: "Choose a chatbot" },
          ...(bots.data?.items ?? [])
            .filter((b) => b.customDomainId !== domain.id)
            .map((b) => ({ value: String(b.id), label: b.name })),
        ]}
      />
      <ErrorMessage error={attach.error} />
      <button type="submit" disabled={!chatbotId || attach.isPending}>
        Attach
      </button>
    </form>
  );
}

/** domain.get's diagnostics: the status in words, each check's expected vs answered, timings. */
function Diagnostics({ domain }: { domain: DomainView }) {
  const d = domain.diagnostics;
  return (
    <>
      <h3>Diagnostics</h3>
      <dl className="status" aria-live="polite">
        <dt>Status</dt>
        <dd>{domain.status}</dd>
        <dt>Provisioning</dt>
        <dd>{d.provisioning ?? "not yet provisioned"}</dd>
        <dt>Next check</dt>
        <dd>{d.nextCheckAt ? <When at={d.nextCheckAt} /> : "none scheduled"}</dd>
        {d.failingSince ? (
          <>
            <dt>Failing since</dt>
            <dd>
              <When at={d.failingSince} />
            </dd>
          </>
        ) : null}
        {d.certificate ? (
          <>
            <dt>Certificate</dt>
            <dd>{d.certificate.status ?? "requested"}</dd>
          </>
        ) : null}
      </dl>
      <p className="hint">{d.summary}</p>
      {d.checks.map((check) => (
        <DnsCheckView key={`${check.expected.type} ${check.expected.name}`} check={check} />
      ))}
    </>
  );
}
