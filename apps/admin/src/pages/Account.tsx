// account.me, account.tokens.* (own tokens; admins also a member's), account.members.*.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { fieldErrorsOf } from "../errors.ts";
import { useTRPC } from "../trpc.ts";
import { Badge, ConfirmButton, Copyable, ErrorMessage, Loading, usePager, When } from "../ui/common.tsx";
import { TextField } from "../ui/fields.tsx";

export function AccountPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.account.me.queryOptions());
  if (me.isPending) return <Loading what="your account" />;
  if (me.error) return <ErrorMessage error={me.error} />;
  return (
    <>
      <h1>Account</h1>
      <section aria-labelledby="me-heading" className="card">
        <h2 id="me-heading">You</h2>
        <dl className="status">
          <dt>User</dt>
          <dd>{me.data.username}</dd>
          <dt>Account number</dt>
          <dd>{me.data.accountNumber}</dd>
          <dt>Role</dt>
          <dd>{me.data.isAccountAdmin ? "account admin" : "member"}</dd>
        </dl>
      </section>
      <Tokens />
      {me.data.isAccountAdmin ? <Members selfId={me.data.userProfileId} /> : null}
    </>
  );
}

function Tokens({ userProfileId, owner }: { userProfileId?: number; owner?: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const pager = usePager(owner ? `Tokens of ${owner}` : "Token");
  const tokens = useQuery(
    trpc.account.tokens.list.queryOptions({
      limit: 20,
      cursor: pager.cursor,
      ...(userProfileId ? { userProfileId } : {}),
    }),
  );
  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.account.tokens.pathKey() });
  const create = useMutation(trpc.account.tokens.create.mutationOptions({ onSuccess: invalidate }));
  const revoke = useMutation(trpc.account.tokens.revoke.mutationOptions({ onSuccess: invalidate }));
  const errors = fieldErrorsOf(create.error);
  const headingId = `tokens-heading-${userProfileId ?? "own"}`;
  return (
    <section aria-labelledby={headingId} className="card">
      <h2 id={headingId}>{owner ? `Admin tokens of ${owner}` : "Your admin tokens"}</h2>
      {userProfileId === undefined ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate({ name, ...(days ? { expiresInDays: Number(days) } : {}) });
          }}
        >
          <TextField label="Token name" name="name" value={name} onChange={setName} errors={errors} />
          <TextField
            label="Expires in days"
            name="expiresInDays"
            type="number"
            inputMode="numeric"
            value={days}
            onChange={setDays}
            errors={errors}
          />
          <ErrorMessage error={create.error} />
          <button type="submit" disabled={create.isPending}>
            Create token
          </button>
        </form>
      ) : null}
      {create.data ? (
        <div className="notice" role="status">
          <p>
            <strong>Copy this token now: it is never shown again.</strong>
          </p>
          <Copyable label="New admin token" value={create.data.token} />
        </div>
      ) : null}
      {tokens.isPending ? <Loading what="tokens" /> : null}
      <ErrorMessage error={tokens.error ?? revoke.error} />
      <ul className="rows">
        {tokens.data?.items.map((token) => (
          <li key={token.id}>
            <span>
              <strong>{token.name || "(unnamed)"}</strong> <code>{token.prefix}…</code>{" "}
              <Badge ok={token.status === "active"}>{token.status}</Badge>
            </span>
            <span className="hint">
              Last used <When at={token.lastUsedAt} />, expires <When at={token.expiresAt} />
            </span>
            {token.status === "active" ? (
              <ConfirmButton
                label={`Revoke token ${token.name || token.prefix}`}
                question={`Revoke the token ${token.name || token.prefix}? Anything using it stops working.`}
                confirmLabel="Revoke token"
                busy={revoke.isPending}
                onConfirm={() => revoke.mutateAsync({ id: token.id })}
              />
            ) : null}
          </li>
        ))}
      </ul>
      {tokens.data ? pager.controls(tokens.data.nextCursor) : null}
    </section>
  );
}

function Members({ selfId }: { selfId: number }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pager = usePager("Member");
  const [shown, setShown] = useState<number | null>(null);
  const members = useQuery(trpc.account.members.list.queryOptions({ limit: 20, cursor: pager.cursor }));
  const remove = useMutation(
    trpc.account.members.remove.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.account.pathKey() }),
    }),
  );
  return (
    <>
      <section aria-labelledby="members-heading" className="card">
        <h2 id="members-heading">Members</h2>
        <p className="hint">New members are added by the operator (botgate CLI).</p>
        {members.isPending ? <Loading what="members" /> : null}
        <ErrorMessage error={members.error ?? remove.error} />
        <ul className="rows">
          {members.data?.items.map((member) => (
            <li key={member.userProfileId}>
              <span>
                <strong>{member.username}</strong> {member.isAccountAdmin ? "(admin)" : ""}
                {member.userProfileId === selfId ? " (you)" : ""}
              </span>
              {member.userProfileId !== selfId ? (
                <button type="button" className="small" onClick={() => setShown(member.userProfileId)}>
                  Tokens of {member.username}
                </button>
              ) : null}
              {member.userProfileId !== selfId ? (
                <ConfirmButton
                  label={`Remove ${member.username}`}
                  question={`Remove ${member.username} and all their tokens?`}
                  confirmLabel="Remove member"
                  busy={remove.isPending}
                  onConfirm={() => remove.mutateAsync({ userProfileId: member.userProfileId })}
                />
              ) : null}
            </li>
          ))}
        </ul>
        {members.data ? pager.controls(members.data.nextCursor) : null}
      </section>
      {shown !== null && shown !== selfId ? (
        <Tokens
          userProfileId={shown}
          owner={members.data?.items.find((m) => m.userProfileId === shown)?.username ?? "member"}
        />
      ) : null}
    </>
  );
}
