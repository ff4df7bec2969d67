import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, ok } from '../../api/client';
import { BookingCards } from '../../components/bookings';
import { Loaded } from '../../components/ui';

/** The mentee's bookings: requests and upcoming first, then the past. */
export function MyBookings() {
  const open = useQuery({
    queryKey: ['bookings', 'mine', 'open'],
    queryFn: () =>
      ok(
        api.GET('/v1/bookings', {
          params: {
            query: {
              statuses: ['BOOKING_STATUS_PENDING', 'BOOKING_STATUS_NEGOTIATING', 'BOOKING_STATUS_AWAITING_PAYMENT', 'BOOKING_STATUS_CONFIRMED', 'BOOKING_STATUS_PENDING_CONFIRMATION'],
            },
          },
        }),
      ),
  });
  const past = useQuery({
    queryKey: ['bookings', 'mine', 'past'],
    queryFn: () =>
      ok(
        api.GET('/v1/bookings', {
          params: {
            query: {
              statuses: ['BOOKING_STATUS_COMPLETED', 'BOOKING_STATUS_NO_SHOW', 'BOOKING_STATUS_REJECTED', 'BOOKING_STATUS_EXPIRED', 'BOOKING_STATUS_CANCELLED'],
              orderBy: 'start_time desc',
            },
          },
        }),
      ),
  });
  return (
    <section>
      <h1>My bookings</h1>
      <p>
        <Link to="/find">Book a session</Link>
      </p>
      <h2>Requests and upcoming</h2>
      <Loaded q={open}>{(d) => <BookingCards bookings={d.bookings} empty="Nothing open." />}</Loaded>
      <h2>Past and ended</h2>
      <Loaded q={past}>{(d) => <BookingCards bookings={d.bookings} empty="Nothing yet." />}</Loaded>
    </section>
  );
}
