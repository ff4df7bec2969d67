import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Notification } from '../api/client';
import { useSession } from '../auth/session';
import { ErrorText, Loaded } from '../components/ui';
import { formatDateTime } from '../lib/time';
import { bellPollMs } from '../components/Bell';

/** Where a notification takes its reader, inside the console. */
function target(n: Notification, role: string): string | null {
  if (n.link) {
    try {
      const u = new URL(n.link, window.location.origin);
      return u.pathname + u.search;
    } catch {
      /* fall through */
    }
  }
  if (n.bookingId) return role === 'mentee' ? `/bookings/${n.bookingId}` : `/mentor/bookings/${n.bookingId}`;
  return null;
}

export function Inbox() {
  const s = useSession();
  const queries = useQueryClient();
  const list = useQuery({
    queryKey: ['notifications', s.subject, 'list'],
    queryFn: () => ok(api.GET('/v1/users/{userId}/notifications', { params: { path: { userId: s.subject }, query: { pageSize: 50 } } })),
    refetchInterval: bellPollMs,
  });
  const mark = useMutation({
    mutationFn: (body: { notificationId?: string; all?: boolean }) =>
      ok(api.POST('/v1/users/{userId}/notifications:markRead', { params: { path: { userId: s.subject } }, body })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['notifications', s.subject] }),
  });
  return (
    <section>
      <h1>Inbox</h1>
      <Loaded q={list}>
        {(d) => (
          <>
            <p>
              {d.unreadCount ? `${d.unreadCount} unread.` : 'Nothing unread.'}{' '}
              {d.unreadCount ? (
                <button type="button" onClick={() => mark.mutate({ all: true })} disabled={mark.isPending}>
                  Mark all as read
                </button>
              ) : null}
            </p>
            <ErrorText error={mark.error} />
            {!d.notifications?.length && <p>No notifications yet.</p>}
            <ul className="cards">
              {d.notifications?.map((n) => {
                const to = target(n, s.role);
                const unread = !n.readTime;
                return (
                  <li key={n.id} className={unread ? 'card unread' : 'card'}>
                    <article aria-label={n.title}>
                      <h2 className="card-title">
                        {unread && <span className="visually-hidden">Unread: </span>}
                        {to ? (
                          <Link to={to} onClick={() => unread && mark.mutate({ notificationId: n.id })}>
                            {n.title}
                          </Link>
                        ) : (
                          n.title
                        )}
                      </h2>
                      <p>{n.body}</p>
                      <p className="meta">
                        <time dateTime={n.createTime}>{formatDateTime(n.createTime, s.timeZone)}</time>
                        {unread && (
                          <>
                            {' · '}
                            <button type="button" className="link" onClick={() => mark.mutate({ notificationId: n.id })}>
                              Mark as read
                            </button>
                          </>
                        )}
                      </p>
                    </article>
                  </li>
                );
              })}
            </ul>
          </>
        )}
      </Loaded>
    </section>
  );
}
