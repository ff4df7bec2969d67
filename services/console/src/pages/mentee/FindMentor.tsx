// A mentee books: a mentor, one of their offerings, a free slot in the
// mentee's own zone (or up to three preferred times), the party, a message,
// and how to pay.
import { useMemo, useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQuery } from '@tanstack/react-query';
import { api, ok, requestId, type Offering, type PaymentMethod, type Slot } from '../../api/client';
import { useSession } from '../../auth/session';
import { bookingPath } from '../../components/bookings';
import { ErrorText, Field, Loaded, fieldError } from '../../components/ui';
import { formatMoney } from '../../lib/money';
import { addDays, formatDay, formatTime, localDate, startOfLocalDay } from '../../lib/time';
import { manualMethods, paymentMethodLabel } from '../../lib/labels';

const intakeQuestion = 'What would you like to get out of this session?';

export function FindMentor() {
  const [params, setParams] = useSearchParams();
  const mentorId = params.get('mentor') ?? '';
  const [typed, setTyped] = useState(mentorId);
  const search = useQuery({
    queryKey: ['mentors', 'search'],
    queryFn: () => ok(api.GET('/v1/mentors:search', { params: { query: { pageSize: 20 } } })),
  });
  return (
    <section>
      <h1>Book a session</h1>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(typed.trim() ? { mentor: typed.trim() } : {});
        }}
      >
        <Field label="Mentor" hint="Their user id, or pick one of the top-ranked below.">
          {(p) => <input {...p} value={typed} onChange={(e) => setTyped(e.target.value)} list="mentor-ids" />}
        </Field>
        <datalist id="mentor-ids">
          {search.data?.mentors?.map((m) => <option key={m.mentorId} value={m.mentorId} />)}
        </datalist>
        <button type="submit" className="primary">
          Show offerings
        </button>
      </form>
      {!mentorId && search.data?.mentors?.length ? (
        <ul className="chips" aria-label="Top-ranked mentors">
          {search.data.mentors.map((m) => (
            <li key={m.mentorId}>
              <button
                type="button"
                onClick={() => {
                  setTyped(m.mentorId ?? '');
                  setParams({ mentor: m.mentorId ?? '' });
                }}
              >
                {m.mentorId} · {m.reviewCount ? `${(m.averageRating ?? 0).toFixed(1)}★` : 'new'}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {mentorId && <MentorOfferings key={mentorId} mentorId={mentorId} />}
    </section>
  );
}

function MentorOfferings({ mentorId }: { mentorId: string }) {
  const q = useQuery({
    queryKey: ['offerings', mentorId],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/offerings', { params: { path: { mentorId } } })),
  });
  const [picked, setPicked] = useState<Offering | null>(null);
  return (
    <Loaded q={q}>
      {(d) =>
        !d.offerings?.length ? (
          <p>{mentorId} offers no sessions (yet).</p>
        ) : (
          <>
            <fieldset>
              <legend>What kind of session with {mentorId}?</legend>
              {d.offerings.map((o) => (
                <label key={o.id} className="inline option">
                  <input type="radio" name="offering" checked={picked?.id === o.id} onChange={() => setPicked(o)} /> {o.name} ·{' '}
                  {o.durationMinutes} min · {Number(o.priceMinorUnits ?? 0) ? formatMoney({ currency: o.currencyCode, amountMinor: o.priceMinorUnits }) : 'free'}
                  {o.capacity && o.capacity > 1 ? ` per seat · class of ${o.capacity}` : ''}
                </label>
              ))}
            </fieldset>
            {picked && <BookForm key={picked.id} mentorId={mentorId} offering={picked} />}
          </>
        )
      }
    </Loaded>
  );
}

function BookForm({ mentorId, offering }: { mentorId: string; offering: Offering }) {
  const s = useSession();
  const navigate = useNavigate();
  const tz = s.timeZone;
  const [weekStart, setWeekStart] = useState(() => localDate(new Date(), tz));
  const [several, setSeveral] = useState(false);
  const [times, setTimes] = useState<string[]>([]);
  const [party, setParty] = useState(1);
  const [attendees, setAttendees] = useState('');
  const [message, setMessage] = useState('');
  const [goal, setGoal] = useState('');
  const free = Number(offering.priceMinorUnits ?? 0) === 0;
  const [method, setMethod] = useState<PaymentMethod>(free ? 'PAYMENT_METHOD_NONE' : 'PAYMENT_METHOD_CARD');
  const [card, setCard] = useState('4242424242424242');
  const [bundleId, setBundleId] = useState('');
  const [rid] = useState(requestId());

  const slots = useQuery({
    queryKey: ['slots', mentorId, offering.id, weekStart, tz],
    queryFn: () =>
      ok(
        api.GET('/v1/mentors/{mentorId}/slots', {
          params: {
            path: { mentorId },
            query: { offeringId: offering.id, startTime: startOfLocalDay(weekStart, tz), endTime: startOfLocalDay(addDays(weekStart, 7), tz), timeZone: tz },
          },
        }),
      ),
  });
  const bundles = useQuery({
    queryKey: ['bundles', s.subject],
    enabled: !free,
    queryFn: () => ok(api.GET('/v1/mentees/{menteeId}/bundles', { params: { path: { menteeId: s.subject } } })),
  });
  const usable = (bundles.data?.bundles ?? []).filter(
    (b) => b.mentorId === mentorId && b.status === 'BUNDLE_STATUS_ACTIVE' && (b.sessionsUsed ?? 0) < (b.sessionsTotal ?? 0),
  );
  const byDay = useMemo(() => {
    const m = new Map<string, Slot[]>();
    for (const sl of slots.data?.slots ?? []) {
      const d = localDate(sl.startTime!, tz);
      m.set(d, [...(m.get(d) ?? []), sl]);
    }
    return [...m.entries()];
  }, [slots.data, tz]);

  const book = useMutation({
    mutationFn: () => {
      const names = attendees
        .split('\n')
        .map((n) => n.trim())
        .filter(Boolean);
      return ok(
        api.POST('/v1/bookings', {
          body: {
            requestId: rid,
            cardToken: method === 'PAYMENT_METHOD_CARD' ? card : undefined,
            booking: {
              mentorId,
              offeringId: offering.id,
              startTime: several ? undefined : times[0],
              preferredStartTimes: several ? times : undefined,
              partySize: party,
              attendeeNames: names.length ? names : undefined,
              message: message || undefined,
              intakeAnswers: goal.trim() ? { [intakeQuestion]: goal.trim() } : undefined,
              paymentMethod: method,
              bundleId: method === 'PAYMENT_METHOD_BUNDLE' ? bundleId : undefined,
              menteeName: s.name,
              menteeEmail: s.email,
              menteeTimeZone: tz,
            },
          },
        }),
      );
    },
    onSuccess: (d) => navigate(bookingPath(d.booking?.id, 'mentee')),
  });
  function toggle(t: string) {
    if (!several) return setTimes([t]);
    setTimes(times.includes(t) ? times.filter((x) => x !== t) : times.length < 3 ? [...times, t] : times);
  }
  function submit(e: FormEvent) {
    e.preventDefault();
    book.mutate();
  }
  const err = book.error;
  const timeError = fieldError(err, 'The time', 'start_time', 'preferred_start_times', 'booking.start_time');
  return (
    <form onSubmit={submit} noValidate aria-labelledby="pick-time">
      <h2 id="pick-time">Pick a time</h2>
      <p className="hint">Times are in your time zone, {tz}.</p>
      <label className="inline">
        <input
          type="checkbox"
          checked={several}
          onChange={(e) => {
            setSeveral(e.target.checked);
            setTimes(times.slice(0, 1));
          }}
        />{' '}
        Offer up to three preferred times; the mentor picks one
      </label>
      <div className="week-nav">
        <button type="button" onClick={() => setWeekStart(addDays(weekStart, -7))} disabled={weekStart <= localDate(new Date(), tz)}>
          ← Earlier
        </button>
        <span>
          {formatDay(startOfLocalDay(weekStart, tz), tz)} – {formatDay(startOfLocalDay(addDays(weekStart, 6), tz), tz)}
        </span>
        <button type="button" onClick={() => setWeekStart(addDays(weekStart, 7))}>
          Later →
        </button>
      </div>
      <Loaded q={slots}>
        {() =>
          byDay.length === 0 ? (
            <p>No free times this week.</p>
          ) : (
            <div className="days">
              {byDay.map(([day, ss]) => (
                <fieldset key={day} className="day">
                  <legend>{formatDay(ss[0].startTime!, tz)}</legend>
                  <div className="slots">
                    {ss.map((sl) => (
                      <button
                        key={sl.startTime}
                        type="button"
                        className="slot"
                        aria-pressed={times.includes(sl.startTime!)}
                        onClick={() => toggle(sl.startTime!)}
                        aria-label={`${formatDay(sl.startTime!, tz)} ${formatTime(sl.startTime!, tz)}${(offering.capacity ?? 1) > 1 ? `, ${sl.seatsLeft} seats left` : ''}`}
                      >
                        {formatTime(sl.startTime!, tz)}
                      </button>
                    ))}
                  </div>
                </fieldset>
              ))}
            </div>
          )
        }
      </Loaded>
      {timeError && <p className="field-error">{timeError}</p>}
      {(offering.capacity ?? 1) > 1 && (
        <>
          <Field label="Seats" error={fieldError(err, 'The party size', 'party_size', 'booking.party_size')}>
            {(p) => <input {...p} type="number" min={1} max={offering.capacity} value={party} onChange={(e) => setParty(Number(e.target.value))} />}
          </Field>
          {party > 1 && (
            <Field label="The other attendees' names, one per line" error={fieldError(err, 'The attendees', 'attendee_names', 'booking.attendee_names')}>
              {(p) => <textarea {...p} rows={Math.min(party, 6)} value={attendees} onChange={(e) => setAttendees(e.target.value)} />}
            </Field>
          )}
        </>
      )}
      <Field label="Message to the mentor (optional)" error={fieldError(err, 'The message', 'message', 'booking.message')}>
        {(p) => <textarea {...p} rows={3} value={message} onChange={(e) => setMessage(e.target.value)} />}
      </Field>
      <Field label={intakeQuestion} error={fieldError(err, 'The answer', 'intake_answers', 'booking.intake_answers')}>
        {(p) => <textarea {...p} rows={2} value={goal} onChange={(e) => setGoal(e.target.value)} />}
      </Field>
      {!free && (
        <fieldset>
          <legend>How you pay</legend>
          {(['PAYMENT_METHOD_CARD', ...manualMethods] as PaymentMethod[]).map((m) => (
            <label key={m} className="inline">
              <input type="radio" name="method" checked={method === m} onChange={() => setMethod(m)} /> {paymentMethodLabel[m]}
            </label>
          ))}
          {usable.length > 0 && (
            <label className="inline">
              <input
                type="radio"
                name="method"
                checked={method === 'PAYMENT_METHOD_BUNDLE'}
                onChange={() => {
                  setMethod('PAYMENT_METHOD_BUNDLE');
                  setBundleId(usable[0].id!);
                }}
              />{' '}
              A bundle credit ({(usable[0].sessionsTotal ?? 0) - (usable[0].sessionsUsed ?? 0)} left)
            </label>
          )}
          {method === 'PAYMENT_METHOD_CARD' && (
            <Field label="Card number" hint="The card is held now and charged only when the mentor approves." error={fieldError(err, 'The card', 'card_token')}>
              {(p) => <input {...p} inputMode="numeric" autoComplete="cc-number" value={card} onChange={(e) => setCard(e.target.value)} />}
            </Field>
          )}
          {manualMethods.includes(method) && <p className="hint">You pay the mentor directly; they mark it paid when it arrives.</p>}
          {fieldError(err, 'The payment method', 'payment_method', 'booking.payment_method', 'bundle_id') && (
            <p className="field-error">{fieldError(err, 'The payment method', 'payment_method', 'booking.payment_method', 'bundle_id')}</p>
          )}
        </fieldset>
      )}
      <p>
        {times.length
          ? `${several ? 'Preferred times' : 'Time'}: ${times.map((t) => `${formatDay(t, tz)} ${formatTime(t, tz)}`).join('; ')}`
          : 'Pick a time above.'}
        {!free && ` · ${formatMoney({ currency: offering.currencyCode, amountMinor: Number(offering.priceMinorUnits ?? 0) * party })}`}
      </p>
      <ErrorText error={err} />
      <button type="submit" className="primary" disabled={!times.length || book.isPending}>
        Request session
      </button>
    </form>
  );
}
