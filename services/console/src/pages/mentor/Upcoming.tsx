import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { BookingCards } from '../../components/bookings';
import { Loaded } from '../../components/ui';

/** Sessions in the next 72 hours. */
export function Upcoming() {
  const q = useQuery({
    queryKey: ['bookings', 'upcoming'],
    queryFn: () => ok(api.GET('/v1/bookings', { params: { query: { upcoming: true } } })),
  });
  return (
    <section>
      <h1>Upcoming sessions</h1>
      <p className="hint">The next 72 hours.</p>
      <Loaded q={q}>{(d) => <BookingCards bookings={d.bookings} empty="Nothing in the next 72 hours." />}</Loaded>
    </section>
  );
}
