import { useState, type FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ReputationView, standingLabel } from '../mentor/Reputation';
import { ErrorText, Field, fieldError } from '../../components/ui';

/** A mentor's standing and figures, for an operator, who may lift a suspension or deactivation. */
export function Standing() {
  const [typed, setTyped] = useState('');
  const [mentor, setMentor] = useState('');
  return (
    <section>
      <h1>Mentor standing</h1>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setMentor(typed.trim());
        }}
      >
        <Field label="Mentor id">{(p) => <input {...p} value={typed} onChange={(e) => setTyped(e.target.value)} />}</Field>
        <button type="submit" className="primary">
          Look up
        </button>
      </form>
      {mentor && <LiftStanding key={`lift-${mentor}`} mentorId={mentor} />}
      {mentor && <ReputationView key={mentor} mentorId={mentor} />}
    </section>
  );
}

/** Lifts a mentor's suspension or deactivation, with the reason the audit keeps. */
function LiftStanding({ mentorId }: { mentorId: string }) {
  const queries = useQueryClient();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const lift = useMutation({
    mutationFn: (r: string) =>
      ok(api.POST('/v1/admin/mentors/{mentorId}/standing:lift', { params: { path: { mentorId } }, body: { reason: r } })),
    onSettled: () => queries.invalidateQueries({ queryKey: ['reputation', mentorId] }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    // The API refuses an empty reason too; saying so here saves a trip.
    if (!reason.trim()) {
      setMissing(true);
      return;
    }
    setMissing(false);
    lift.mutate(reason.trim());
  }
  const reasonError = missing ? 'Say why the sanction is lifted.' : fieldError(lift.error, 'Reason', 'reason');
  return (
    <form className="card" aria-label="Lift a suspension or deactivation" onSubmit={submit} noValidate>
      <h2>Lift a suspension or deactivation</h2>
      <p className="hint">
        The mentor becomes active again and their earlier cancellations stop counting. The reason is kept with your name.
      </p>
      <Field label="Reason" error={reasonError}>
        {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <button type="submit" className="primary" disabled={lift.isPending}>
        Lift
      </button>
      <ErrorText error={lift.error && !fieldError(lift.error, 'x', 'reason') ? lift.error : null} />
      {lift.data && (
        <p role="status">
          Lifted: {standingLabel[lift.data.change?.previousStanding ?? ''] ?? lift.data.change?.previousStanding} →{' '}
          {standingLabel[lift.data.change?.standing ?? ''] ?? lift.data.change?.standing}.
        </p>
      )}
    </form>
  );
}
