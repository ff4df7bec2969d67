import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { useSession } from '../../auth/session';
import { Loaded } from '../../components/ui';
import { formatMoney } from '../../lib/money';
import { formatDateTime } from '../../lib/time';

/** Bundles of paid sessions the mentee bought, with their progress. */
export function Bundles() {
  const s = useSession();
  const q = useQuery({
    queryKey: ['bundles', s.subject],
    queryFn: () => ok(api.GET('/v1/mentees/{menteeId}/bundles', { params: { path: { menteeId: s.subject } } })),
  });
  return (
    <section>
      <h1>Bundles</h1>
      <p className="hint">After an intro session, a mentor may approve continuing: the intro booking's page then offers a bundle.</p>
      <Loaded q={q}>
        {(d) =>
          d.bundles?.length ? (
            <ul className="cards">
              {d.bundles.map((b) => (
                <li key={b.id} className="card">
                  <h2 className="card-title">
                    {b.sessionsTotal} sessions with {b.mentorId}
                  </h2>
                  <p className="meta">
                    {b.sessionsUsed ?? 0} used · {formatMoney({ currency: b.currency, amountMinor: b.sessionPrice })} each ·{' '}
                    {b.status?.replace('BUNDLE_STATUS_', '').toLowerCase()} · bought {formatDateTime(b.createTime, s.timeZone)}
                  </p>
                  <progress max={b.sessionsTotal} value={b.sessionsUsed ?? 0} aria-label="Sessions used" />
                </li>
              ))}
            </ul>
          ) : (
            <p>No bundles yet.</p>
          )
        }
      </Loaded>
    </section>
  );
}
