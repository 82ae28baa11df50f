import { type ReactNode, useEffect, useRef, useState } from "react";
import { messageOf } from "../errors.ts";

/** A value with a button that copies it; the button says when it did. */
export function Copyable({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="copyable">
      <span className="copyable-label">{label}</span>
      <code>{value}</code>
      <button
        type="button"
        className="small"
        aria-label={`Copy ${label}`}
        onClick={async () => {
          await navigator.clipboard?.writeText(value).catch(() => {});
          setCopied(true);
          setTimeout(() => setCopied(false), 2_000);
        }}
      >
        {copied ? "Copied" : "Copy"}
      </button>
    </div>
  );
}

export function ErrorMessage({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {messageOf(error)}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return <p aria-busy="true">Loading {what}…</p>;
}

/** Dates in the reader's locale; machine-readable in <time>. */
export function When({ at }: { at: Date | null | undefined }) {
  if (!at) return <span>never</span>;
  return <time dateTime={at.toISOString()}>{at.toLocaleString()}</time>;
}

export function Badge({ ok, children }: { ok: boolean | null; children: ReactNode }) {
  return <span className={`badge ${ok === null ? "pending" : ok ? "ok" : "bad"}`}>{children}</span>;
}

/**
 * A modal dialog (the platform's <dialog>: the rest of the page is inert while it is open, Escape
 * closes it). Focus goes to its first control and back to whatever opened it on close.
 */
export function Dialog({
  title,
  open,
  onClose,
  children,
}: {
  title: string;
  open: boolean;
  onClose(): void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog || !open) return;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      opener?.focus();
    };
  }, [open]);
  if (!open) return null;
  return (
    <dialog
      ref={ref}
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

/** "Are you sure?" before something that cannot be undone. */
export function ConfirmButton({
  label,
  question,
  confirmLabel,
  onConfirm,
  busy,
}: {
  label: string;
  question: string;
  confirmLabel: string;
  onConfirm(): Promise<unknown>;
  busy?: boolean;
}) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {label}
      </button>
      <Dialog title={question} open={open} onClose={() => setOpen(false)}>
        <ErrorMessage error={error} />
        <div className="actions">
          <button type="button" onClick={() => setOpen(false)}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={async () => {
              try {
                await onConfirm();
                setOpen(false);
              } catch (e) {
                setError(e);
              }
            }}
          >
            {confirmLabel}
          </button>
        </div>
      </Dialog>
    </>
  );
}

/** Cursor pagination: the cursors of the pages before this one, and the next one's. */
/** `label` names the pages (a page may have several paged lists). */
export function usePager(label: string) {
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  return {
    cursor,
    reset: () => setCursors([undefined]),
    controls: (nextCursor: number | null | undefined) => (
      <nav className="pager" aria-label={`${label} pages`}>
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          disabled={nextCursor == null}
          onClick={() => nextCursor != null && setCursors((c) => [...c, nextCursor])}
        >
          Next page
        </button>
      </nav>
    ),
  };
}
