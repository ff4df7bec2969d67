// Bookings in lists: one card per booking with what a person scans for.
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Booking } from '../api/client';
import { useSession, type Role } from '../auth/session';
import { formatMoney } from '../lib/money';
import { formatDateTime, minutesBetween } from '../lib/time';
import { paymentStatusLabel } from '../lib/labels';
import { StatusBadge } from './ui';

/** The booking's page for this reader (the same routes email links use). */
export function bookingPath(id: string | undefined, role: Role): string {
  return role === 'mentee' ? `/bookings/${id}` : `/mentor/bookings/${id}`;
}

/** When a booking is, in the reader's zone; preferred times while none is picked. */
export function when(b: Booking, tz: string): string {
  if (b.startTime) return formatDateTime(b.startTime, tz);
  if (b.preferredStartTimes?.length) return b.preferredStartTimes.map((t) => formatDateTime(t, tz)).join(' or ');
  return '—';
}

export function duration(b: Booking): string {
  const m = minutesBetween(b.startTime, b.endTime);
  return m ? `${m} min` : '';
}

export function BookingCard({ b, children }: { b: Booking; children?: React.ReactNode }) {
  const s = useSession();
  const other = s.role === 'mentee' ? `with ${b.mentorId}` : b.menteeName || b.menteeId;
  return (
    <li className="card">
      <article aria-label={`${b.offeringName ?? 'Session'}, ${other}`}>
        <h2 className="card-title">
          <Link to={bookingPath(b.id, s.role)}>
            {b.offeringName ?? 'Session'} · {other}
          </Link>{' '}
          <StatusBadge status={b.status} />
        </h2>
        <p className="meta">
          <span>{when(b, s.timeZone)}</span>
          {duration(b) && <span> · {duration(b)}</span>}
          {b.partySize && b.partySize > 1 ? <span> · party of {b.partySize}</span> : null}
          <span> · {formatMoney(b.price)}</span>
          {b.paymentStatus && <span> · {paymentStatusLabel[b.paymentStatus]}</span>}
        </p>
        {children}
      </article>
    </li>
  );
}

export function BookingCards({ bookings, empty }: { bookings: Booking[] | undefined; empty: string }) {
  if (!bookings?.length) return <p>{empty}</p>;
  return (
    <ul className="cards">
      {bookings.map((b) => (
        <BookingCard key={b.id} b={b} />
      ))}
    </ul>
  );
}

/** A command on a booking: on success every list and the booking are read again. */
export function useBookingCommand<A, T = unknown>(fn: (a: A) => Promise<T>) {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: () => {
      void queries.invalidateQueries({ queryKey: ['bookings'] });
      void queries.invalidateQueries({ queryKey: ['booking'] });
      void queries.invalidateQueries({ queryKey: ['notifications'] });
    },
  });
}
