// The notification bell: the unread count, kept fresh by polling the inbox
// (one small GET every few seconds while the page is visible, at once when
// it becomes visible again), so it changes without a reload.
import { useEffect, useRef, useState } from 'react';
import { NavLink } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok } from '../api/client';
import { useSession } from '../auth/session';

/** How often the bell asks; see docs/console.md for why polling is enough. */
export const bellPollMs = 5_000;

export function useUnreadCount(): number | undefined {
  const { subject } = useSession();
  const q = useQuery({
    queryKey: ['notifications', subject, 'unread'],
    queryFn: () =>
      ok(api.GET('/v1/users/{userId}/notifications', { params: { path: { userId: subject }, query: { pageSize: 1 } } })),
    refetchInterval: bellPollMs,
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: 'always',
  });
  return q.data ? (q.data.unreadCount ?? 0) : undefined;
}

export function Bell() {
  const unread = useUnreadCount();
  const queries = useQueryClient();
  const [announce, setAnnounce] = useState('');
  const last = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (unread !== undefined && last.current !== undefined && unread > last.current) {
      setAnnounce(`${unread} unread notification${unread === 1 ? '' : 's'}`);
      // Something happened to a booking: the lists on screen read it again.
      void queries.invalidateQueries({ queryKey: ['bookings'] });
      void queries.invalidateQueries({ queryKey: ['booking'] });
    }
    last.current = unread;
  }, [unread, queries]);
  const label = unread ? `Notifications, ${unread} unread` : 'Notifications, none unread';
  return (
    <>
      <NavLink to="/inbox" className="bell" aria-label={label} title={label}>
        <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
          <path
            fill="currentColor"
            d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
          />
        </svg>
        {unread ? (
          <span className="bell-count" data-testid="bell-count">
            {unread > 99 ? '99+' : unread}
          </span>
        ) : null}
      </NavLink>
      <span className="visually-hidden" role="status" aria-live="polite">
        {announce}
      </span>
    </>
  );
}
