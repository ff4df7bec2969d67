// One booking: everything about it and every action this reader may take,
// for the mentor (and admins) at /mentor/bookings/:id and for the mentee at
// /bookings/:id. Email links land here.
import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, ok, requestId, type Booking, type PendingView } from '../api/client';
import { useSession, type Session } from '../auth/session';
import { ApproveAction, ProposeAction, RejectAction } from '../components/actions';
import { duration, useBookingCommand, when } from '../components/bookings';
import { Dialog, ErrorText, Facts, Field, Loaded, StatusBadge, fieldError } from '../components/ui';
import { formatMoney, minor, parseAmount } from '../lib/money';
import { cancelConsequence } from '../lib/policy';
import { manualMethods, paymentMethodLabel, paymentStatusLabel, roleLabel } from '../lib/labels';
import { formatDateTime } from '../lib/time';
import { bellPollMs } from '../components/Bell';

export function BookingPage() {
  const { id = '' } = useParams();
  const s = useSession();
  const q = useQuery({
    queryKey: ['booking', id],
    queryFn: () => ok(api.GET('/v1/bookings/{id}', { params: { path: { id } } })),
  });
  return (
    <section>
      <p>
        <Link to={s.role === 'mentee' ? '/bookings' : s.role === 'admin' ? '/admin/bookings' : '/mentor/bookings'}>← All bookings</Link>
      </p>
      <Loaded q={q}>{(d) => <BookingView b={d.booking!} view={d.pendingView} s={s} />}</Loaded>
    </section>
  );
}

function BookingView({ b, view, s }: { b: Booking; view?: PendingView; s: Session }) {
  const mentorSide = s.role !== 'mentee';
  const tz = s.timeZone;
  const started = !!b.startTime && Date.parse(b.startTime) <= Date.now();
  const status = b.status;
  const attendees = b.attendeeNames?.length ? `${b.menteeName || b.menteeId}, ${b.attendeeNames.join(', ')}` : undefined;
  return (
    <>
      <h1>
        {b.offeringName ?? 'Session'} · {mentorSide ? b.menteeName || b.menteeId : `with ${b.mentorId}`} <StatusBadge status={status} />
      </h1>
      <Facts
        items={[
          ['When', when(b, tz)],
          ['Duration', duration(b)],
          ['Mentee', mentorSide ? `${b.menteeName ?? ''} ${b.menteeEmail ? `<${b.menteeEmail}>` : ''} (${b.menteeId})` : undefined],
          ['Mentor', b.mentorId],
          ['Party size', b.partySize && b.partySize > 1 ? String(b.partySize) : undefined],
          ['Attendees', attendees],
          ['Price', formatMoney(b.price)],
          ['Payment', `${paymentMethodLabel[b.paymentMethod ?? 'PAYMENT_METHOD_UNSPECIFIED']} · ${paymentStatusLabel[b.paymentStatus ?? 'PAYMENT_STATUS_UNSPECIFIED']}`],
          ['Refunded', minor(b.refunded) > 0 ? formatMoney(b.refunded) : undefined],
          ['Dispute', b.paymentDisputed ? 'The mentee disputed the card payment with their bank' : undefined],
          ['Message', b.message],
          ['Meeting', b.meetingUrl ? <a href={b.meetingUrl}>{b.meetingUrl}</a> : undefined],
          [
            'Add to calendar',
            b.calendarLinks?.google ? (
              <>
                <a href={b.calendarLinks.google}>Google</a> · <a href={b.calendarLinks.yahoo}>Yahoo</a> · <a href={b.calendarLinks.outlook}>Outlook</a>
              </>
            ) : undefined,
          ],
          ['Expires', (status === 'BOOKING_STATUS_PENDING' || status === 'BOOKING_STATUS_NEGOTIATING' || status === 'BOOKING_STATUS_AWAITING_AUTHENTICATION') && b.expireTime ? formatDateTime(b.expireTime, tz) : undefined],
          ['Cancellation policy', b.cancellationSummary || b.cancellationPolicy?.summary],
          ['Booking id', <code key="id">{b.id}</code>],
        ]}
      />
      {status === 'BOOKING_STATUS_AWAITING_AUTHENTICATION' && (
        <section aria-labelledby="authenticate" className="notice">
          <h2 id="authenticate">Card authentication needed</h2>
          {s.role === 'mentee' && b.paymentAction?.redirectUrl ? (
            <p>
              Your bank asks you to confirm this payment (3-D Secure).{' '}
              <a href={b.paymentAction.redirectUrl}>Authenticate the payment</a>
              {b.paymentAction.expireTime ? ` before ${formatDateTime(b.paymentAction.expireTime, tz)}` : ''}; the request reaches the mentor once your bank confirms.
            </p>
          ) : (
            <p>The mentee's bank asks them to confirm the card payment. The request reaches the mentor once it is confirmed, and expires if it is not.</p>
          )}
        </section>
      )}
      {b.intakeAnswers && Object.keys(b.intakeAnswers).length > 0 && (
        <section aria-labelledby="intake">
          <h2 id="intake">Intake answers</h2>
          <Facts items={Object.entries(b.intakeAnswers)} />
        </section>
      )}
      {b.outcome && (b.outcome.endedBy || b.outcome.reason || b.outcome.money) && (
        <section aria-labelledby="outcome" className="outcome">
          <h2 id="outcome">Outcome</h2>
          <Facts
            items={[
              ['Ended by', b.outcome.endedBy ? roleLabel[b.outcome.endedBy] : undefined],
              ['Reason', b.outcome.reason],
              ['Money', b.outcome.money],
              ['When', b.outcome.endTime ? formatDateTime(b.outcome.endTime, tz) : undefined],
            ]}
          />
        </section>
      )}
      {b.continuation && b.continuation !== 'CONTINUATION_UNSPECIFIED' && (
        <p>
          Continuation: <strong>{b.continuation === 'CONTINUATION_APPROVED' ? 'approved' : 'not approved'}</strong>
          {b.continuationReason ? ` (${b.continuationReason})` : ''}
        </p>
      )}
      {mentorSide && view && <PendingFacts view={view} />}
      {status === 'BOOKING_STATUS_NEGOTIATING' && b.proposal && <ProposalPanel b={b} s={s} />}
      <section aria-labelledby="actions" className="actions">
        <h2 id="actions">Actions</h2>
        <div className="buttons">
          {mentorSide && status === 'BOOKING_STATUS_PENDING' && (
            <>
              <ApproveAction b={b} />
              <RejectAction b={b} />
              <ProposeAction b={b} />
            </>
          )}
          {mentorSide && status === 'BOOKING_STATUS_AWAITING_PAYMENT' && <SimpleCommand b={b} verb="markPaid" label="Mark paid" />}
          {mentorSide && (status === 'BOOKING_STATUS_CONFIRMED' || status === 'BOOKING_STATUS_PENDING_CONFIRMATION') && started && (
            <>
              <SimpleCommand b={b} verb="complete" label="Mark completed" />
              <SimpleCommand b={b} verb="markNoShow" label="Mark no-show" />
              {b.sessionId && <CompleteAllAction sessionId={b.sessionId} />}
            </>
          )}
          {mentorSide && status === 'BOOKING_STATUS_CONFIRMED' && !started && <ProposeAction b={b} label="Propose another time" />}
          {mentorSide && b.paymentMethod === 'PAYMENT_METHOD_CARD' && (b.paymentStatus === 'PAYMENT_STATUS_PAID' || b.paymentStatus === 'PAYMENT_STATUS_PARTIALLY_REFUNDED') && (
            <RefundAction b={b} />
          )}
          {mentorSide && manualMethods.includes(b.paymentMethod!) && (b.paymentStatus === 'PAYMENT_STATUS_PAID' || b.paymentStatus === 'PAYMENT_STATUS_PARTIALLY_REFUNDED') && (
            <SimpleCommand b={b} verb="markRefunded" label="Mark refunded" confirm="Mark refunded only once you have sent the money back." />
          )}
          {mentorSide && b.offeringKind === 'OFFERING_KIND_INTRO' && (status === 'BOOKING_STATUS_COMPLETED' || status === 'BOOKING_STATUS_NO_SHOW') && (!b.continuation || b.continuation === 'CONTINUATION_UNSPECIFIED') && (
            <ContinuationAction b={b} />
          )}
          {s.role === 'mentee' && status === 'BOOKING_STATUS_CONFIRMED' && !started && <ProposeAction b={b} label="Ask for another time" />}
          {/* A mentor answers a request (reject, propose); cancelling is for what was approved. */}
          {(mentorSide ? ['BOOKING_STATUS_AWAITING_PAYMENT', 'BOOKING_STATUS_CONFIRMED'] : ['BOOKING_STATUS_PENDING', 'BOOKING_STATUS_NEGOTIATING', 'BOOKING_STATUS_AWAITING_PAYMENT', 'BOOKING_STATUS_CONFIRMED']).includes(status ?? '') &&
            !started && <CancelAction b={b} s={s} />}
        </div>
      </section>
      {s.role === 'mentee' && status === 'BOOKING_STATUS_COMPLETED' && <ReviewForm b={b} s={s} />}
      {s.role === 'mentee' && b.offeringKind === 'OFFERING_KIND_INTRO' && b.continuation === 'CONTINUATION_APPROVED' && <BuyBundle b={b} s={s} />}
      {s.role === 'mentor' && <NotesForm b={b} />}
      {s.role !== 'admin' && <Thread b={b} s={s} />}
    </>
  );
}

/** What a mentee has spent, from the pending view. */
export function spent(view: PendingView): string {
  return view.menteeTotalSpend?.currency && minor(view.menteeTotalSpend) > 0 ? formatMoney(view.menteeTotalSpend) : 'nothing yet';
}

function PendingFacts({ view }: { view: PendingView }) {
  const free = view.timeStillFree;
  return (
    <section aria-labelledby="decide" className="decide">
      <h2 id="decide">To decide</h2>
      <Facts
        items={[
          ['Mentee’s prior sessions', String(view.menteePriorSessions ?? 0)],
          ['Mentee’s total spend', spent(view)],
          ['Average rating they give', view.menteeAverageRatingGiven ? view.menteeAverageRatingGiven.toFixed(1) : 'no reviews yet'],
          ['Their no-shows', String(view.menteeNoShows ?? 0)],
          ['Your calendar', free ? 'The time is still free.' : `Conflict: ${view.conflict || 'the time is taken'}`],
        ]}
      />
    </section>
  );
}

function ProposalPanel({ b, s }: { b: Booking; s: Session }) {
  const p = b.proposal!;
  const mine = (p.proposedBy === 'ROLE_MENTEE') === (s.role === 'mentee');
  const accept = useBookingCommand(() => ok(api.POST('/v1/bookings/{id}:accept', { params: { path: { id: b.id! } }, body: {} })));
  const decline = useBookingCommand(() => ok(api.POST('/v1/bookings/{id}:decline', { params: { path: { id: b.id! } }, body: {} })));
  return (
    <section aria-labelledby="proposal" className="proposal">
      <h2 id="proposal">Proposed time</h2>
      <p>
        {mine ? 'You proposed' : `${roleLabel[p.proposedBy ?? 'ROLE_SYSTEM']} proposed`} <strong>{formatDateTime(p.startTime, s.timeZone)}</strong>
        {p.note ? ` — “${p.note}”` : ''}.
      </p>
      {mine || s.role === 'admin' ? (
        <p>Waiting for the other side to answer.</p>
      ) : (
        <div className="buttons">
          <button type="button" className="primary" onClick={() => accept.mutate(undefined)} disabled={accept.isPending}>
            Accept this time
          </button>
          <button type="button" onClick={() => decline.mutate(undefined)} disabled={decline.isPending}>
            Decline
          </button>
          <ProposeAction b={b} label="Propose another time" />
          <ErrorText error={accept.error ?? decline.error} />
        </div>
      )}
    </section>
  );
}

type Verb = 'markPaid' | 'markRefunded' | 'complete' | 'markNoShow';

function SimpleCommand({ b, verb, label, confirm }: { b: Booking; verb: Verb; label: string; confirm?: string }) {
  const cmd = useBookingCommand(() => {
    const opts = { params: { path: { id: b.id! } }, body: {} };
    switch (verb) {
      case 'markPaid':
        return ok(api.POST('/v1/bookings/{id}:markPaid', opts));
      case 'markRefunded':
        return ok(api.POST('/v1/bookings/{id}:markRefunded', opts));
      case 'complete':
        return ok(api.POST('/v1/bookings/{id}:complete', opts));
      case 'markNoShow':
        return ok(api.POST('/v1/bookings/{id}:markNoShow', opts));
    }
  });
  return (
    <span className="action">
      <button
        type="button"
        onClick={() => {
          if (!confirm || window.confirm(confirm)) cmd.mutate(undefined);
        }}
        disabled={cmd.isPending}
      >
        {label}
      </button>
      <ErrorText error={cmd.error} />
    </span>
  );
}

export function CompleteAllAction({ sessionId, label = 'Complete all in this session' }: { sessionId: string; label?: string }) {
  const cmd = useBookingCommand(() =>
    ok(api.POST('/v1/sessions/{sessionId}:completeAll', { params: { path: { sessionId } }, body: {} })),
  );
  return (
    <span className="action">
      <button type="button" onClick={() => cmd.mutate(undefined)} disabled={cmd.isPending}>
        {label}
      </button>
      {cmd.isSuccess && <span role="status"> Done: {cmd.data.bookings?.length ?? 0} bookings marked.</span>}
      <ErrorText error={cmd.error} />
    </span>
  );
}

function RefundAction({ b }: { b: Booking }) {
  const [open, setOpen] = useState(false);
  const [kind, setKind] = useState<'full' | 'partial'>('full');
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [bad, setBad] = useState('');
  const left = { currency: b.price?.currency, amountMinor: minor(b.price) - minor(b.refunded) };
  const refund = useBookingCommand((body: { amountMinor?: string; note: string }) =>
    ok(api.POST('/v1/bookings/{id}:refund', { params: { path: { id: b.id! } }, body })),
  );
  function submit(e: FormEvent) {
    e.preventDefault();
    let amountMinor: string | undefined;
    if (kind === 'partial') {
      const m = parseAmount(amount);
      if (m === null || m <= 0) {
        setBad('Enter an amount such as 20 or 12.50.');
        return;
      }
      if (m > minor(left)) {
        setBad(`At most ${formatMoney(left)} can still be refunded.`);
        return;
      }
      amountMinor = String(m);
    }
    setBad('');
    refund.mutate({ amountMinor, note }, { onSuccess: () => setOpen(false) });
  }
  return (
    <>
      <button type="button" onClick={() => setOpen(true)}>
        Refund
      </button>
      <Dialog title="Refund the mentee" open={open} onClose={() => setOpen(false)}>
        <form onSubmit={submit} noValidate>
          <p>The card is refunded at once. {formatMoney(left)} can still be refunded.</p>
          <fieldset>
            <legend>How much</legend>
            <label className="inline">
              <input type="radio" name="refund-kind" checked={kind === 'full'} onChange={() => setKind('full')} /> Full refund ({formatMoney(left)})
            </label>
            <label className="inline">
              <input type="radio" name="refund-kind" checked={kind === 'partial'} onChange={() => setKind('partial')} /> Partial refund
            </label>
          </fieldset>
          {kind === 'partial' && (
            <Field label={`Amount (${b.price?.currency ?? ''})`} error={bad || fieldError(refund.error, 'The amount', 'amount', 'amount_minor')}>
              {(p) => <input {...p} inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} />}
            </Field>
          )}
          <Field label="Note to the mentee (optional)" error={fieldError(refund.error, 'The note', 'note')}>
            {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
          </Field>
          <ErrorText error={refund.error && !fieldError(refund.error, 'x', 'amount', 'amount_minor', 'note') ? refund.error : null} />
          <div className="buttons">
            <button type="submit" className="primary" disabled={refund.isPending}>
              Refund now
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

function CancelAction({ b, s }: { b: Booking; s: Session }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const consequence = cancelConsequence(b, s.role, new Date());
  const cancel = useBookingCommand((r: string) =>
    ok(api.POST('/v1/bookings/{id}:cancel', { params: { path: { id: b.id! } }, body: { reason: r } })),
  );
  const isRequest = b.status === 'BOOKING_STATUS_PENDING' || b.status === 'BOOKING_STATUS_NEGOTIATING';
  const label = isRequest && s.role === 'mentee' ? 'Withdraw request' : 'Cancel booking';
  return (
    <>
      <button type="button" className="danger" onClick={() => setOpen(true)}>
        {label}
      </button>
      <Dialog title={label} open={open} onClose={() => setOpen(false)}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            cancel.mutate(reason, { onSuccess: () => setOpen(false) });
          }}
        >
          <p className="consequence" data-testid="cancel-consequence">
            <strong>{consequence.text}</strong>
          </p>
          {(b.cancellationSummary || b.cancellationPolicy?.summary) && <p className="hint">Policy: {b.cancellationSummary || b.cancellationPolicy?.summary}</p>}
          {consequence.allowed && (
            <Field label="Reason (optional, shown to the other side)" error={fieldError(cancel.error, 'The reason', 'reason')}>
              {(p) => <textarea {...p} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />}
            </Field>
          )}
          <ErrorText error={cancel.error && !fieldError(cancel.error, 'x', 'reason') ? cancel.error : null} />
          <div className="buttons">
            {consequence.allowed && (
              <button type="submit" className="danger" disabled={cancel.isPending}>
                Yes, cancel
              </button>
            )}
            <button type="button" onClick={() => setOpen(false)}>
              Keep the booking
            </button>
          </div>
        </form>
      </Dialog>
    </>
  );
}

function ContinuationAction({ b }: { b: Booking }) {
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  const decide = useBookingCommand((body: { approve: boolean; reason: string }) =>
    ok(api.POST('/v1/bookings/{id}:decideContinuation', { params: { path: { id: b.id! } }, body })),
  );
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (!reason.trim()) {
          setMissing(true);
          return;
        }
        setMissing(false);
        decide.mutate({ approve: false, reason });
      }}
    >
      <fieldset>
        <legend>Continue with this mentee after the intro?</legend>
        <button type="button" className="primary" onClick={() => decide.mutate({ approve: true, reason: '' })} disabled={decide.isPending}>
          Approve continuation
        </button>
        <Field label="Reason for not continuing" error={missing ? 'Give a reason for not continuing.' : fieldError(decide.error, 'Reason', 'reason')}>
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <button type="submit" disabled={decide.isPending}>
          Do not continue
        </button>
      </fieldset>
      <ErrorText error={decide.error && !fieldError(decide.error, 'x', 'reason') ? decide.error : null} />
    </form>
  );
}

function NotesForm({ b }: { b: Booking }) {
  const [notes, setNotes] = useState(b.mentorNotes ?? '');
  const save = useBookingCommand((n: string) =>
    ok(api.POST('/v1/bookings/{id}:updateNotes', { params: { path: { id: b.id! } }, body: { notes: n } })),
  );
  return (
    <section aria-labelledby="notes">
      <h2 id="notes">Private notes</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(notes);
        }}
      >
        <Field label="Only you see these" error={fieldError(save.error, 'Notes', 'notes')}>
          {(p) => <textarea {...p} rows={3} value={notes} onChange={(e) => setNotes(e.target.value)} />}
        </Field>
        <ErrorText error={save.error && !fieldError(save.error, 'x', 'notes') ? save.error : null} />
        {save.isSuccess && <p role="status">Notes saved.</p>}
        <button type="submit" disabled={save.isPending}>
          Save notes
        </button>
      </form>
    </section>
  );
}

function Thread({ b, s }: { b: Booking; s: Session }) {
  // A message reaches the thread through an event, a moment after the
  // command answers; the other side's replies come the same way. The thread
  // is read again every few seconds while the page is open.
  const thread = useQuery({
    queryKey: ['booking', b.id, 'thread'],
    queryFn: () => ok(api.GET('/v1/bookings/{bookingId}/thread', { params: { path: { bookingId: b.id! } } })),
    refetchInterval: bellPollMs,
  });
  const [text, setText] = useState('');
  const send = useBookingCommand(async (t: string) => {
    if (s.role === 'mentor') {
      return ok(api.POST('/v1/bookings/{id}:message', { params: { path: { id: b.id! } }, body: { text: t } }));
    }
    return ok(
      api.POST('/v1/bookings/{bookingId}/thread:reply', {
        params: { path: { bookingId: b.id! } },
        body: { text: t, requestId: requestId() },
      }),
    );
  });
  return (
    <section aria-labelledby="thread">
      <h2 id="thread">Messages</h2>
      <Loaded q={thread}>
        {(d) =>
          d.messages?.length ? (
            <ol className="thread">
              {d.messages.map((m) => (
                <li key={m.id} className={m.authorRole === 'THREAD_ROLE_MENTOR' ? 'from-mentor' : 'from-mentee'}>
                  <p className="meta">
                    {m.authorRole === 'THREAD_ROLE_MENTOR' ? 'Mentor' : 'Mentee'} · {formatDateTime(m.createTime, s.timeZone)}
                  </p>
                  <p>{m.text}</p>
                </li>
              ))}
            </ol>
          ) : (
            <p>No messages yet.</p>
          )
        }
      </Loaded>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send.mutate(text, { onSuccess: () => setText('') });
        }}
      >
        <Field
          label={s.role === 'mentor' ? 'Message the mentee (sent by email too)' : 'Reply to the mentor'}
          error={fieldError(send.error, 'The message', 'text')}
        >
          {(p) => <textarea {...p} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <ErrorText error={send.error && !fieldError(send.error, 'x', 'text') ? send.error : null} />
        <button type="submit" disabled={!text.trim() || send.isPending}>
          Send
        </button>
      </form>
    </section>
  );
}

function ReviewForm({ b, s }: { b: Booking; s: Session }) {
  const [rating, setRating] = useState(0);
  const [text, setText] = useState('');
  const review = useBookingCommand(() =>
    ok(
      api.POST('/v1/bookings/{bookingId}/reviews', {
        params: { path: { bookingId: b.id! } },
        body: { menteeId: s.subject, rating, text },
      }),
    ),
  );
  if (review.isSuccess) return <p role="status">Thank you: your review is recorded.</p>;
  return (
    <section aria-labelledby="review">
      <h2 id="review">Review this session</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          review.mutate(undefined);
        }}
      >
        <fieldset>
          <legend>Rating</legend>
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} className="inline">
              <input type="radio" name="rating" value={n} checked={rating === n} onChange={() => setRating(n)} /> {n}
            </label>
          ))}
          {fieldError(review.error, 'The rating', 'rating', 'review.rating') && (
            <p className="field-error">{fieldError(review.error, 'The rating', 'rating', 'review.rating')}</p>
          )}
        </fieldset>
        <Field label="Your words (optional)" error={fieldError(review.error, 'The text', 'text', 'review.text')}>
          {(p) => <textarea {...p} rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <ErrorText error={review.error && !fieldError(review.error, 'x', 'rating', 'review.rating', 'text', 'review.text') ? review.error : null} />
        <button type="submit" className="primary" disabled={!rating || review.isPending}>
          Send review
        </button>
      </form>
    </section>
  );
}

function BuyBundle({ b, s }: { b: Booking; s: Session }) {
  const [sessions, setSessions] = useState(5);
  const [price, setPrice] = useState('50');
  const [currency, setCurrency] = useState(b.price?.currency || 'EUR');
  const [card, setCard] = useState('4242424242424242');
  const [key] = useState(requestId());
  const buy = useBookingCommand(() => {
    const m = parseAmount(price);
    return ok(
      api.POST('/v1/bundles', {
        body: { menteeId: s.subject, mentorId: b.mentorId, sessions, sessionPrice: String(m ?? 0), currency, card, idempotencyKey: key },
      }),
    );
  });
  return (
    <section aria-labelledby="bundle">
      <h2 id="bundle">Continue with a bundle</h2>
      {buy.isSuccess ? (
        <p role="status">
          Bundle bought: {buy.data.bundle?.sessionsTotal} sessions. <Link to="/bundles">See your bundles</Link>.
        </p>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            buy.mutate(undefined);
          }}
        >
          <Field label="Sessions" error={fieldError(buy.error, 'Sessions', 'sessions')}>
            {(p) => <input {...p} type="number" min={1} max={100} value={sessions} onChange={(e) => setSessions(Number(e.target.value))} />}
          </Field>
          <Field label="Price per session" error={fieldError(buy.error, 'The price', 'session_price')}>
            {(p) => <input {...p} inputMode="decimal" value={price} onChange={(e) => setPrice(e.target.value)} />}
          </Field>
          <Field label="Currency" error={fieldError(buy.error, 'The currency', 'currency')}>
            {(p) => <input {...p} value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} />}
          </Field>
          <Field label="Card number" error={fieldError(buy.error, 'The card', 'card')}>
            {(p) => <input {...p} inputMode="numeric" autoComplete="cc-number" value={card} onChange={(e) => setCard(e.target.value)} />}
          </Field>
          <ErrorText error={buy.error} />
          <button type="submit" className="primary" disabled={buy.isPending}>
            Buy bundle
          </button>
        </form>
      )}
    </section>
  );
}
