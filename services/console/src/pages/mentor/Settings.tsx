import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type BookingSettings } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorText, Field, Loaded, fieldError } from '../../components/ui';
import { durationHours, hoursDuration } from '../../lib/time';

/** Auto-approval, the windows, and cancellation rules. */
export function Settings() {
  const s = useSession();
  const q = useQuery({
    queryKey: ['settings', s.subject],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/bookingSettings', { params: { path: { mentorId: s.subject } } })),
  });
  return (
    <section>
      <h1>Booking settings</h1>
      <Loaded q={q}>{(d) => <SettingsForm initial={d.settings ?? {}} />}</Loaded>
    </section>
  );
}

const windows: Array<[keyof BookingSettings, string, string, string]> = [
  ['approvalWindow', 'approval_window', 'Hours a request waits for your answer', 'Then it expires and the mentee is refunded.'],
  ['reminderAfter', 'reminder_after', 'Remind me of an unanswered request after (hours)', ''],
  ['freeCancelBefore', 'free_cancel_before', 'Mentees cancel free of charge up to (hours before)', ''],
  ['autoCompleteAfter', 'auto_complete_after', 'Unmarked sessions count as completed after (hours)', ''],
];

function SettingsForm({ initial }: { initial: BookingSettings }) {
  const s = useSession();
  const queries = useQueryClient();
  const [v, setV] = useState<BookingSettings>(initial);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH('/v1/mentors/{settings.mentor_id}/bookingSettings', {
          params: { path: { 'settings.mentor_id': s.subject } },
          // The gateway turns the body's fields into the update mask; the
          // mentor is the path's, not a field to change.
          body: { ...v, mentorId: undefined },
        }),
      ),
    onSuccess: (d) => {
      queries.setQueryData(['settings', s.subject], d);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={submit}>
      <label className="inline">
        <input type="checkbox" checked={!!v.autoApprove} onChange={(e) => setV({ ...v, autoApprove: e.target.checked })} /> Approve new requests
        automatically
      </label>
      <label className="inline">
        <input type="checkbox" checked={!!v.autoApproveBundleBookings} onChange={(e) => setV({ ...v, autoApproveBundleBookings: e.target.checked })} />{' '}
        Approve requests paid with a bundle credit automatically
      </label>
      <label className="inline">
        <input type="checkbox" checked={!!v.mentorMayCancel} onChange={(e) => setV({ ...v, mentorMayCancel: e.target.checked })} /> I may cancel
        confirmed sessions myself
      </label>
      {windows.map(([k, field, label, hint]) => (
        <Field key={k} label={label} hint={hint || undefined} error={fieldError(save.error, label, field, `settings.${field}`)}>
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              step="0.25"
              value={durationHours(v[k] as string | undefined)}
              onChange={(e) => setV({ ...v, [k]: e.target.value === '' ? undefined : hoursDuration(Number(e.target.value)) })}
            />
          )}
        </Field>
      ))}
      <Field label="When a mentee cancels late" error={fieldError(save.error, 'The late cancellation rule', 'late_mentee_cancellation')}>
        {(p) => (
          <select {...p} value={v.lateMenteeCancellation ?? 'LATE_CANCELLATION_UNSPECIFIED'} onChange={(e) => setV({ ...v, lateMenteeCancellation: e.target.value as BookingSettings['lateMenteeCancellation'] })}>
            <option value="LATE_CANCELLATION_UNSPECIFIED">The marketplace default</option>
            <option value="LATE_CANCELLATION_MENTOR_PAID">I am paid the fee minus commission</option>
            <option value="LATE_CANCELLATION_REFUSED">They cannot cancel</option>
          </select>
        )}
      </Field>
      <ErrorText error={save.error} />
      {save.isSuccess && <p role="status">Settings saved.</p>}
      <button type="submit" className="primary" disabled={save.isPending}>
        Save settings
      </button>
    </form>
  );
}
