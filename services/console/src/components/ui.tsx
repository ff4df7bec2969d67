// Small accessible building blocks: labelled fields with their errors, an
// alert for an action's error, a modal dialog, status badges.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { ApiError, errorMessage, violationText } from '../api/errors';
import type { BookingStatus } from '../api/client';
import { statusLabel } from '../lib/labels';

/** A field's error from the API, by any of the names the API gives the field. */
export function fieldError(error: unknown, label: string, ...names: string[]): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const d = error.field(...names);
  return d ? violationText(label, d) : undefined;
}

interface FieldProps {
  label: string;
  /** The error shown under the field (from fieldError or the form's own check). */
  error?: string;
  hint?: string;
  children: (props: { id: string; 'aria-invalid'?: true; 'aria-describedby'?: string }) => ReactNode;
}

/** A label, a control and what is wrong with it, tied together for screen readers. */
export function Field({ label, error, hint, children }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={error ? 'field field-invalid' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy })}
      {hint && (
        <p className="hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field-error" id={errId}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * An action's error, announced. Field violations no field of the form shows
 * (it asks with fieldError before this renders) are listed here.
 */
export function ErrorText({ error }: { error: unknown }) {
  if (!error) return null;
  const rest = error instanceof ApiError ? error.unclaimed() : [];
  return (
    <div role="alert" className="error">
      <p>{errorMessage(error)}</p>
      {rest.length > 0 && (
        <ul>
          {rest.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A page's data: a loading line, the error, or the content. */
export function Loaded<T>({ q, children }: { q: { data?: T; error: unknown; isPending: boolean }; children: (d: T) => ReactNode }) {
  if (q.error) return <ErrorText error={q.error} />;
  if (q.isPending || q.data === undefined) return <p aria-busy="true">Loading…</p>;
  return <>{children(q.data)}</>;
}

/** A modal dialog (the browser's own: focus stays inside, Escape closes). */
export function Dialog({ title, open, onClose, children }: { title: string; open: boolean; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onClose={onClose} className="dialog">
      {open && (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      )}
    </dialog>
  );
}

export function StatusBadge({ status }: { status?: BookingStatus }) {
  const s = status ?? 'BOOKING_STATUS_UNSPECIFIED';
  return <span className={`badge badge-${s.replace('BOOKING_STATUS_', '').toLowerCase()}`}>{statusLabel[s]}</span>;
}

/** A description list of label → value pairs, skipping empty values. */
export function Facts({ items }: { items: Array<[string, ReactNode]> }) {
  return (
    <dl className="facts">
      {items
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}
