// The mentor's pending requests: everything needed to decide, and the
// decision, on one card per request.
import { useQuery } from '@tanstack/react-query';
import { api, ok, type Booking } from '../../api/client';
import { useSession } from '../../auth/session';
import { ApproveAction, ProposeAction, RejectAction } from '../../components/actions';
import { BookingCard } from '../../components/bookings';
import { Facts, Loaded } from '../../components/ui';
import { formatDateTime } from '../../lib/time';
import { spent } from '../BookingPage';

export function Pending() {
  const q = useQuery({
    queryKey: ['bookings', 'pending'],
    queryFn: () =>
      ok(api.GET('/v1/bookings', { params: { query: { statuses: ['BOOKING_STATUS_PENDING', 'BOOKING_STATUS_NEGOTIATING'], orderBy: 'create_time' } } })),
  });
  return (
    <section>
      <h1>Pending requests</h1>
      <p className="hint">Answer within 24 hours: unanswered requests expire and are refunded.</p>
      <Loaded q={q}>
        {(d) =>
          d.bookings?.length ? (
            <ul className="cards">
              {d.bookings.map((b) => (
                <PendingCard key={b.id} b={b} />
              ))}
            </ul>
          ) : (
            <p>No pending requests.</p>
          )
        }
      </Loaded>
    </section>
  );
}

function PendingCard({ b }: { b: Booking }) {
  const s = useSession();
  // The booking itself carries the mentor's pending view: history and conflicts.
  const detail = useQuery({
    queryKey: ['booking', b.id],
    queryFn: () => ok(api.GET('/v1/bookings/{id}', { params: { path: { id: b.id! } } })),
  });
  const view = detail.data?.pendingView;
  const negotiating = b.status === 'BOOKING_STATUS_NEGOTIATING';
  return (
    <BookingCard b={b}>
      <Facts
        items={[
          ['Message', b.message],
          ...Object.entries(b.intakeAnswers ?? {}),
          ['Requested', b.createTime ? formatDateTime(b.createTime, s.timeZone) : undefined],
          [
            'History',
            view
              ? `${view.menteePriorSessions ?? 0} prior sessions · spent ${spent(view)} · ${
                  view.menteeAverageRatingGiven ? `gives ${view.menteeAverageRatingGiven.toFixed(1)} on average` : 'no reviews given'
                } · ${view.menteeNoShows ?? 0} no-shows`
              : undefined,
          ],
          ['Calendar', view ? (view.timeStillFree ? 'Still free' : `Conflict: ${view.conflict || 'taken'}`) : undefined],
          ['Proposal', negotiating && b.proposal ? `${b.proposal.proposedBy === 'ROLE_MENTOR' ? 'You' : 'The mentee'} proposed ${formatDateTime(b.proposal.startTime, s.timeZone)}` : undefined],
        ]}
      />
      {!negotiating && (
        <div className="buttons">
          <ApproveAction b={b} />
          <RejectAction b={b} />
          <ProposeAction b={b} />
        </div>
      )}
    </BookingCard>
  );
}
