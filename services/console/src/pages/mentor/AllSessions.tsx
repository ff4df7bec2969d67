// Every session, with the filters of the bookings dashboard and Export CSV.
import { useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { api, ok } from '../../api/client';
import { ApiError } from '../../api/errors';
import { useSession } from '../../auth/session';
import { bookingPath, duration, when } from '../../components/bookings';
import { ErrorText, Field, StatusBadge, fieldError } from '../../components/ui';
import { exportQuery, filtersFromSearch, filtersToSearch, listQuery, noFilters, type Filters } from '../../lib/filters';
import { filterableStatuses, paymentMethodLabel, statusLabel } from '../../lib/labels';
import { formatMoney } from '../../lib/money';
import { localDate } from '../../lib/time';

export function AllSessions() {
  const s = useSession();
  const [params, setParams] = useSearchParams();
  const applied = filtersFromSearch(params);
  const [draft, setDraft] = useState<Filters>(applied);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value });

  const offerings = useQuery({
    queryKey: ['offerings', s.subject],
    enabled: s.role === 'mentor',
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/offerings', { params: { path: { mentorId: s.subject } } })),
  });
  const list = useInfiniteQuery({
    queryKey: ['bookings', 'all', applied, s.timeZone],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      ok(api.GET('/v1/bookings', { params: { query: { ...listQuery(applied, s.timeZone), pageSize: 50, pageToken: pageParam || undefined } } })),
    getNextPageParam: (last) => last.nextPageToken || undefined,
  });
  const exportCsv = useMutation({
    mutationFn: async () => {
      const { data, error, response } = await api.GET('/v1/bookings:export', {
        // The file is for a spreadsheet: the byte-order mark makes Excel read UTF-8 names right.
        params: { query: { ...exportQuery(applied, s.timeZone), bom: 'true' } as never },
        parseAs: 'blob',
      });
      if (!response.ok) throw new ApiError(response.status, error);
      const url = URL.createObjectURL(data as Blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `bookings-${localDate(new Date(), s.timeZone)}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
  });
  function apply(e: FormEvent) {
    e.preventDefault();
    setParams(filtersToSearch(draft));
  }
  const rows = list.data?.pages.flatMap((p) => p.bookings ?? []) ?? [];
  return (
    <section>
      <h1>{s.role === 'admin' ? 'All bookings' : 'All sessions'}</h1>
      <form className="filters" onSubmit={apply} aria-label="Filters">
        <Field label="Status">
          {(p) => (
            <select {...p} value={draft.status} onChange={set('status')}>
              <option value="">Any</option>
              {filterableStatuses.map((st) => (
                <option key={st} value={st}>
                  {statusLabel[st]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="From" error={fieldError(list.error, 'From', 'start_after')}>
          {(p) => <input {...p} type="date" value={draft.from} onChange={set('from')} />}
        </Field>
        <Field label="To" error={fieldError(list.error, 'To', 'start_before')}>
          {(p) => <input {...p} type="date" value={draft.to} onChange={set('to')} />}
        </Field>
        <Field label="Payment method">
          {(p) => (
            <select {...p} value={draft.method} onChange={set('method')}>
              <option value="">Any</option>
              {(Object.keys(paymentMethodLabel) as Array<keyof typeof paymentMethodLabel>)
                .filter((m) => m !== 'PAYMENT_METHOD_UNSPECIFIED')
                .map((m) => (
                  <option key={m} value={m}>
                    {paymentMethodLabel[m]}
                  </option>
                ))}
            </select>
          )}
        </Field>
        {s.role === 'mentor' && (
          <Field label="Offering">
            {(p) => (
              <select {...p} value={draft.offering} onChange={set('offering')}>
                <option value="">Any</option>
                {offerings.data?.offerings?.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="Search" hint="Name, email or booking id">
          {(p) => <input {...p} type="search" value={draft.q} onChange={set('q')} />}
        </Field>
        <div className="buttons">
          <button type="submit" className="primary">
            Apply filters
          </button>
          <button
            type="button"
            onClick={() => {
              setDraft(noFilters);
              setParams(new URLSearchParams());
            }}
          >
            Clear
          </button>
          <button type="button" onClick={() => exportCsv.mutate()} disabled={exportCsv.isPending}>
            Export CSV
          </button>
        </div>
        <ErrorText error={exportCsv.error} />
      </form>
      {list.error ? (
        <ErrorText error={list.error} />
      ) : list.isPending ? (
        <p aria-busy="true">Loading…</p>
      ) : rows.length === 0 ? (
        <p>No sessions match.</p>
      ) : (
        <table className="responsive">
          <caption className="visually-hidden">Sessions, next first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Mentee</th>
              <th scope="col">Offering</th>
              <th scope="col">Status</th>
              <th scope="col">Payment</th>
              <th scope="col">Price</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.id}>
                <td data-label="When">
                  <Link to={bookingPath(b.id, s.role)}>{when(b, s.timeZone)}</Link> <span className="hint">{duration(b)}</span>
                </td>
                <td data-label="Mentee">
                  {b.menteeName || b.menteeId}
                  {b.menteeEmail && <span className="hint"> {b.menteeEmail}</span>}
                </td>
                <td data-label="Offering">{b.offeringName}</td>
                <td data-label="Status">
                  <StatusBadge status={b.status} />
                </td>
                <td data-label="Payment">{paymentMethodLabel[b.paymentMethod ?? 'PAYMENT_METHOD_UNSPECIFIED']}</td>
                <td data-label="Price">{formatMoney(b.price)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && (
        <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>
          Show more
        </button>
      )}
    </section>
  );
}
