// One DNS check as diagnostics show it: what was expected next to what DNS answered.
import type { ChatbotView } from "@botgate/api";
import { Badge } from "../ui/common.tsx";

type DnsCheck = NonNullable<ChatbotView["dnsCheck"]>;

export function DnsCheckView({ check }: { check: DnsCheck }) {
  const checkedAt = new Date(check.checkedAt);
  return (
    <div className="dns-check">
      <p>
        <Badge ok={check.outcome === "match" ? true : check.outcome === "mismatch" ? false : null}>
          {check.outcome}
        </Badge>{" "}
        <code>
          {check.expected.type} {check.expected.name}
        </code>
      </p>
      <dl className="status">
        <dt>Expected</dt>
        <dd>
          <code>{check.expected.values.join(", ") || "—"}</code>
        </dd>
        <dt>Answered</dt>
        <dd>
          <code>{check.answered.join(", ") || "nothing"}</code> ({check.responseCode})
        </dd>
        <dt>Asked</dt>
        <dd>{check.resolver.join(", ") || "—"}</dd>
        <dt>Checked</dt>
        <dd>
          {Number.isNaN(checkedAt.getTime()) ? (
            check.checkedAt
          ) : (
            <time dateTime={checkedAt.toISOString()}>{checkedAt.toLocaleString()}</time>
          )}
        </dd>
      </dl>
      {check.reason ? <p className="field-error">{check.reason}</p> : null}
    </div>
  );
}
