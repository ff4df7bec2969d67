import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { useSession } from '../../auth/session';
import { Facts, Loaded } from '../../components/ui';
import { formatMoney } from '../../lib/money';
import { formatDateTime } from '../../lib/time';

export const badgeLabel: Record<string, string> = {
  BADGE_HIGH_APPROVAL_RATE: 'High approval rate',
  BADGE_FAST_RESPONDER: 'Fast responder',
};
export const standingLabel: Record<string, string> = {
  STANDING_ACTIVE: 'Active',
  STANDING_FLAGGED: 'Flagged',
  STANDING_SUSPENDED: 'Suspended',
  STANDING_DEACTIVATED: 'Deactivated',
};

function pct(x?: number): string {
  return `${Math.round((x ?? 0) * 100)}%`;
}
function hours(d?: string): string {
  if (!d) return '—';
  const s = Number.parseFloat(d);
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${Math.round(s)} s`;
  return s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`;
}

/** A mentor's figures, standing, badges and reviews. */
export function ReputationView({ mentorId }: { mentorId: string }) {
  const s = useSession();
  const q = useQuery({
    queryKey: ['reputation', mentorId],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/reputation', { params: { path: { mentorId } } })),
  });
  return (
    <Loaded q={q}>
      {(d) => {
        const r = d.reputation ?? {};
        const f = r.figures ?? {};
        return (
          <>
            <Facts
              items={[
                ['Standing', `${standingLabel[r.standing ?? ''] ?? r.standing ?? 'Active'}${r.standingReason ? ` — ${r.standingReason}` : ''}`],
                ['Badges', r.badges?.length ? r.badges.map((b) => badgeLabel[b] ?? b).join(', ') : 'none yet'],
                ['Ranking score', (r.rankingScore ?? 0).toFixed(0)],
                ['Approval rate', `${pct(f.approvalRate)} of ${f.decidedCount ?? 0} decided`],
                ['Median response time', hours(f.medianResponseTime)],
                ['Answered within target', pct(f.answeredWithinTargetShare)],
                ['Cancellation streak', String(f.cancellationStreak ?? 0)],
                ['Completed sessions', String(f.completedCount ?? 0)],
                ['No-show rate', pct(f.noShowRate)],
                ['Average rating', f.reviewCount ? `${(f.averageRating ?? 0).toFixed(1)} from ${f.reviewCount} reviews` : 'no reviews yet'],
              ]}
            />
            {r.standingHistory?.length ? (
              <>
                <h2>Standing history</h2>
                <ul>
                  {r.standingHistory.map((c, i) => (
                    <li key={i}>
                      {formatDateTime(c.changeTime, s.timeZone)}: {standingLabel[c.previousStanding ?? ''] ?? c.previousStanding} →{' '}
                      {standingLabel[c.standing ?? ''] ?? c.standing} ({c.reason})
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
            {r.recentReviews?.length ? (
              <>
                <h2>Recent reviews</h2>
                <ul>
                  {r.recentReviews.map((v) => (
                    <li key={v.bookingId}>
                      {'★'.repeat(v.rating ?? 0)}
                      <span className="visually-hidden">{v.rating} of 5</span> {v.text}
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        );
      }}
    </Loaded>
  );
}

export function ReputationPage() {
  const s = useSession();
  const payouts = useQuery({
    queryKey: ['payouts', s.subject],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/payouts', { params: { path: { mentorId: s.subject } } })),
  });
  const balance = useQuery({
    queryKey: ['balance', s.subject],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/balance', { params: { path: { mentorId: s.subject } } })),
  });
  return (
    <section>
      <h1>Reputation & payouts</h1>
      <ReputationView mentorId={s.subject} />
      <h2>Balance</h2>
      <Loaded q={balance}>
        {(d) =>
          d.balances?.length ? (
            <Facts
              items={d.balances.flatMap((b) => [
                [`Payable (${b.currency})`, formatMoney({ currency: b.currency, amountMinor: b.payableAmount })],
                [`In escrow (${b.currency})`, formatMoney({ currency: b.currency, amountMinor: b.pendingAmount })],
                [`Paid to you directly (${b.currency})`, formatMoney({ currency: b.currency, amountMinor: b.receivedDirectlyAmount })],
              ] as Array<[string, string]>)}
            />
          ) : (
            <p>Nothing yet.</p>
          )
        }
      </Loaded>
      <h2>Payouts</h2>
      <Loaded q={payouts}>
        {(d) =>
          d.payouts?.length ? (
            <table className="responsive">
              <thead>
                <tr>
                  <th scope="col">Due</th>
                  <th scope="col">Booking</th>
                  <th scope="col">Amount</th>
                  <th scope="col">Commission kept</th>
                </tr>
              </thead>
              <tbody>
                {d.payouts.map((p) => (
                  <tr key={`${p.bookingId}-${p.kind}`}>
                    <td data-label="Due">{formatDateTime(p.dueTime, s.timeZone)}</td>
                    <td data-label="Booking">
                      <a href={`/mentor/bookings/${p.bookingId}`}>{p.bookingId?.slice(0, 8)}</a>
                    </td>
                    <td data-label="Amount">{formatMoney({ currency: p.currency, amountMinor: p.amount })}</td>
                    <td data-label="Commission kept">{formatMoney({ currency: p.currency, amountMinor: p.commissionAmount })}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p>No payouts yet: a session becomes payable once it is completed.</p>
          )
        }
      </Loaded>
    </section>
  );
}
