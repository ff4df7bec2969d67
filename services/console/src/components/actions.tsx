// The decisions on a booking, as forms: approve (picking one of the
// preferred times), reject with a reason, propose another time. Used on the
// pending list and on the booking's page. Errors appear next to the field
// or the button that caused them.
import { useState, type FormEvent } from 'react';
import { api, ok, type Booking } from '../api/client';
import { useSession } from '../auth/session';
import { formatDateTime, fromLocalInput, toLocalInput } from '../lib/time';
import { Dialog, ErrorText, Field, fieldError } from './ui';
import { useBookingCommand } from './bookings';

export function ApproveAction({ b }: { b: Booking }) {
  const s = useSession();
  const preferred = b.preferredStartTimes ?? [];
  const [pick, setPick] = useState(preferred.length === 1 ? preferred[0] : '');
  const approve = useBookingCommand((startTime?: string) =>
    ok(api.POST('/v1/bookings/{id}:approve', { params: { path: { id: b.id! } }, body: startTime ? { startTime } : {} })),
  );
  if (preferred.length > 0 && !b.startTime) {
    return (
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          approve.mutate(pick);
        }}
      >
        <fieldset>
          <legend>Pick one of the mentee's preferred times</legend>
          {preferred.map((t) => (
            <label key={t} className="inline">
              <input type="radio" name={`pick-${b.id}`} value={t} checked={pick === t} onChange={() => setPick(t)} />{' '}
              {formatDateTime(t, s.timeZone)}
            </label>
          ))}
        </fieldset>
        {fieldError(approve.error, 'The time', 'start_time') && <p className="field-error">{fieldError(approve.error, 'The time', 'start_time')}</p>}
        <button type="submit" className="primary" disabled={!pick || approve.isPending}>
          Approve at this time
        </button>
        <ErrorText error={approve.error && !fieldError(approve.error, 'x', 'start_time') ? approve.error : null} />
      </form>
    );
  }
  return (
    <span className="action">
      <button type="button" className="primary" onClick={() => approve.mutate(undefined)} disabled={approve.isPending}>
        Approve
      </button>
      <ErrorText error={approve.error} />
    </span>
  );
}

export function RejectAction({ b }: { b: Booking }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const reject = useBookingCommand((r: string) =>
    ok(api.POST('/v1/bookings/{id}:reject', { params: { path: { id: b.id! } }, body: { reason: r } })),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    // An empty reason is refused by the API too; saying so here saves a trip.
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    reject.mutate(reason, { onSuccess: () => setOpen(false) });
  }
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Reject
      </button>
      <Dialog title="Reject this request" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={submit} noValidate>
          <p>The mentee reads your reason. They are refunded at once.</p>
          <Field
            label="Reason"
            hint="For example: a schedule conflict, or outside my expertise."
            error={missing ? 'Give the mentee a reason.' : fieldError(reject.error, 'Reason', 'reason')}
          >
            {(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <ErrorText error={reject.error && !fieldError(reject.error, 'x', 'reason') ? reject.error : null} />
          <div className="buttons">
            <button type="submit" className="danger" disabled={reject.isPending}>
              Reject request
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Keep it
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

/** Suggest another time (mentor), or counter-propose (either side). */
export function ProposeAction({ b, label = 'Suggest another time' }: { b: Booking; label?: string }) {
  const s = useSession();
  const [open, setOpen] = useState(false);
  const base = b.proposal?.startTime ?? b.startTime ?? b.preferredStartTimes?.[0];
  const [at, setAt] = useState(base ? toLocalInput(new Date(Date.parse(base) + 86_400_000), s.timeZone) : '');
  const [note, setNote] = useState('');
  const propose = useBookingCommand((body: { startTime: string; note: string }) =>
    ok(api.POST('/v1/bookings/{id}:propose', { params: { path: { id: b.id! } }, body })),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    propose.mutate({ startTime: fromLocalInput(at, s.timeZone), note }, { onSuccess: () => setOpen(false) });
  }
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        {label}
      </button>
      <Dialog title={label} open={open} onClose={() => setOpen(false)}>
        <form onSubmit={submit}>
          <Field label={`New start (${s.timeZone})`} error={fieldError(propose.error, 'The new start', 'start_time')}>
            {(p) => <input {...p} type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} required />}
          </Field>
          <Field label="Note (optional)" error={fieldError(propose.error, 'The note', 'note')}>
            {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
          <ErrorText error={propose.error && !fieldError(propose.error, 'x', 'start_time', 'note') ? propose.error : null} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={!at || propose.isPending}>
              Send proposal
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
