// Form controls: each has a visible label, and the API's message for its field right below
// it, tied to the control with aria-describedby and aria-invalid.
import { type ReactNode, useId } from "react";
import type { FieldErrors } from "../errors.ts";

interface Common {
  label: string;
  name: string;
  errors?: FieldErrors | undefined;
  hint?: ReactNode;
}

function Messages({ id, hint, messages }: { id: string; hint?: ReactNode; messages: string[] | undefined }) {
  return (
    <>
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {messages?.length ? (
        <p className="field-error" id={`${id}-error`}>
          {messages.join(" ")}
        </p>
      ) : null}
    </>
  );
}

function describedBy(id: string, hint: ReactNode, messages: string[] | undefined) {
  const ids = [hint ? `${id}-hint` : "", messages?.length ? `${id}-error` : ""].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

export function TextField({
  label,
  name,
  errors,
  hint,
  value,
  onChange,
  type = "text",
  required,
  multiline,
  autoComplete,
  inputMode,
}: Common & {
  value: string;
  onChange(value: string): void;
  type?: "text" | "url" | "number" | "password" | "search";
  required?: boolean;
  multiline?: boolean;
  autoComplete?: string;
  inputMode?: "decimal" | "numeric";
}) {
  const id = useId();
  const messages = errors?.[name];
  const props = {
    id,
    name,
    value,
    required,
    "aria-invalid": messages?.length ? true : undefined,
    "aria-describedby": describedBy(id, hint, messages),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...props} rows={4} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input
          {...props}
          type={type}
          autoComplete={autoComplete ?? "off"}
          inputMode={inputMode}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      <Messages id={id} hint={hint} messages={messages} />
    </div>
  );
}

export function CheckboxField({
  label,
  name,
  errors,
  hint,
  checked,
  onChange,
}: Common & { checked: boolean; onChange(checked: boolean): void }) {
  const id = useId();
  const messages = errors?.[name];
  return (
    <div className="field checkbox">
      <input
        id={id}
        name={name}
        type="checkbox"
        checked={checked}
        aria-describedby={describedBy(id, hint, messages)}
        onChange={(e) => onChange(e.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
      <Messages id={id} hint={hint} messages={messages} />
    </div>
  );
}

export function SelectField({
  label,
  name,
  errors,
  hint,
  value,
  onChange,
  options,
}: Common & { value: string; onChange(value: string): void; options: { value: string; label: string }[] }) {
  const id = useId();
  const messages = errors?.[name];
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        name={name}
        value={value}
        aria-invalid={messages?.length ? true : undefined}
        aria-describedby={describedBy(id, hint, messages)}
        onChange={(e) => onChange(e.target.value)}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <Messages id={id} hint={hint} messages={messages} />
    </div>
  );
}
