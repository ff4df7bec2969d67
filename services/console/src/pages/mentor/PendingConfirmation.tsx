// Sessions whose time has come: mark each booking completed or no-show, or
// complete a whole class at once; then the intro sessions' decision.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok, type Booking } from '../../api/client';
import { useSession } from '../../auth/session';
import { bookingPath, useBookingCommand } from '../../components/bookings';
import { ErrorText, Loaded, StatusBadge } from '../../components/ui';
import { CompleteAllAction } from '../BookingPage';
import { formatDateTime } from '../../lib/time';

export function PendingConfirmation() {
  const s = useSession();
  const now = new Date().toISOString();
  const due = useQuery({
    queryKey: ['bookings', 'to-confirm'],
    queryFn: () =>
      ok(
        api.GET('/v1/bookings', {
          params: { query: { statuses: ['BOOKING_STATUS_CONFIRMED', 'BOOKING_STATUS_PENDING_CONFIRMATION'], startBefore: now, pageSize: 200 } },
        }),
      ),
    refetchInterval: 30_000,
  });
  const intros = useQuery({
    queryKey: ['bookings', 'intro-decisions'],
    queryFn: () => ok(api.GET('/v1/bookings', { params: { query: { statuses: ['BOOKING_STATUS_COMPLETED', 'BOOKING_STATUS_NO_SHOW'], orderBy: 'start_time desc', pageSize: 100 } } })),
  });
  return (
    <section>
      <h1>Pending confirmation</h1>
      <p className="hint">Mark sessions at the end of each class: unmarked ones count as completed 24 hours after their start.</p>
      <Loaded q={due}>
        {(d) => {
          const sessions = groupBySession(d.bookings ?? []);
          if (!sessions.length) return <p>Nothing to confirm.</p>;
          return (
            <ul className="cards">
              {sessions.map(([sessionId, bs]) => (
                <li key={sessionId} className="card">
                  <article aria-label={`${bs[0].offeringName} at ${formatDateTime(bs[0].startTime, s.timeZone)}`}>
                    <h2 className="card-title">
                      {bs[0].offeringName} · {formatDateTime(bs[0].startTime, s.timeZone)}
                    </h2>
                    <ul className="rows">
                      {bs.map((b) => (
                        <ConfirmRow key={b.id} b={b} />
                      ))}
                    </ul>
                    {bs.length > 1 || (bs[0].partySize ?? 1) > 1 ? <CompleteAllAction sessionId={sessionId} label="Complete all" /> : null}
                  </article>
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
      <h2>Intro sessions to decide</h2>
      <Loaded q={intros}>
        {(d) => {
          const open = (d.bookings ?? []).filter(
            (b) => b.offeringKind === 'OFFERING_KIND_INTRO' && (!b.continuation || b.continuation === 'CONTINUATION_UNSPECIFIED'),
          );
          if (!open.length) return <p>No intro session waits for your decision.</p>;
          return (
            <ul className="cards">
              {open.map((b) => (
                <li key={b.id} className="card">
                  <Link to={bookingPath(b.id, s.role)}>
                    {b.menteeName || b.menteeId} · {formatDateTime(b.startTime, s.timeZone)}
                  </Link>{' '}
                  — decide whether to continue.
                </li>
              ))}
            </ul>
          );
        }}
      </Loaded>
    </section>
  );
}

function groupBySession(bookings: Booking[]): Array<[string, Booking[]]> {
  const m = new Map<string, Booking[]>();
  for (const b of bookings) {
    const k = b.sessionId || b.id!;
    m.set(k, [...(m.get(k) ?? []), b]);
  }
  return [...m.entries()];
}

function ConfirmRow({ b }: { b: Booking }) {
  const s = useSession();
  const complete = useBookingCommand(() => ok(api.POST('/v1/bookings/{id}:complete', { params: { path: { id: b.id! } }, body: {} })));
  const noShow = useBookingCommand(() => ok(api.POST('/v1/bookings/{id}:markNoShow', { params: { path: { id: b.id! } }, body: {} })));
  const who = `${b.menteeName || b.menteeId}${b.partySize && b.partySize > 1 ? ` (party of ${b.partySize})` : ''}`;
  return (
    <li>
      <Link to={bookingPath(b.id, s.role)}>{who}</Link> <StatusBadge status={b.status} />{' '}
      <span className="buttons">
        <button type="button" onClick={() => complete.mutate(undefined)} disabled={complete.isPending} aria-label={`Mark ${who} completed`}>
          Completed
        </button>
        <button type="button" onClick={() => noShow.mutate(undefined)} disabled={noShow.isPending} aria-label={`Mark ${who} no-show`}>
          No-show
        </button>
      </span>
      <ErrorText error={complete.error ?? noShow.error} />
    </li>
  );
}
