import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Offering } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorText, Field, Loaded, fieldError } from '../../components/ui';
import { formatMoney, parseAmount } from '../../lib/money';

/** The mentor's session types. */
export function Offerings() {
  const s = useSession();
  const queries = useQueryClient();
  const q = useQuery({
    queryKey: ['offerings', s.subject],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/offerings', { params: { path: { mentorId: s.subject } } })),
  });
  const withdraw = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/v1/mentors/{mentorId}/offerings/{offeringId}', { params: { path: { mentorId: s.subject, offeringId: id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['offerings', s.subject] }),
  });
  return (
    <section>
      <h1>Offerings</h1>
      <Loaded q={q}>
        {(d) =>
          d.offerings?.length ? (
            <ul className="cards">
              {d.offerings.map((o) => (
                <li key={o.id} className="card">
                  <h2 className="card-title">{o.name}</h2>
                  <p className="meta">
                    {o.kind === 'OFFERING_KIND_INTRO' ? 'Intro' : 'Paid'} · {o.durationMinutes} min ·{' '}
                    {Number(o.priceMinorUnits ?? 0) ? formatMoney({ currency: o.currencyCode, amountMinor: o.priceMinorUnits }) : 'free'} ·{' '}
                    {o.capacity && o.capacity > 1 ? `class of ${o.capacity}` : 'one-to-one'}
                  </p>
                  <button type="button" onClick={() => withdraw.mutate(o.id!)} disabled={withdraw.isPending}>
                    Withdraw {o.name}
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p>No offerings yet: mentees cannot book you until you add one.</p>
          )
        }
      </Loaded>
      <ErrorText error={withdraw.error} />
      <NewOffering />
    </section>
  );
}

function NewOffering() {
  const s = useSession();
  const queries = useQueryClient();
  const [o, setO] = useState({ name: '', kind: 'OFFERING_KIND_PAID' as NonNullable<Offering['kind']>, duration: 60, price: '', currency: 'EUR', capacity: 1, approval: true });
  const [priceBad, setPriceBad] = useState('');
  const create = useMutation({
    mutationFn: (body: Offering) => ok(api.POST('/v1/mentors/{mentorId}/offerings', { params: { path: { mentorId: s.subject } }, body })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['offerings', s.subject] });
      setO({ ...o, name: '' });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const intro = o.kind === 'OFFERING_KIND_INTRO';
    const price = intro ? 0 : parseAmount(o.price);
    if (price === null) {
      setPriceBad('Enter a price such as 50 or 49.90.');
      return;
    }
    setPriceBad('');
    create.mutate({
      name: o.name,
      kind: o.kind,
      durationMinutes: intro ? 20 : o.duration,
      priceMinorUnits: String(price),
      currencyCode: intro ? undefined : o.currency,
      capacity: o.capacity,
      approvalRequired: o.approval,
    });
  }
  const err = create.error;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-offering">
      <h2 id="new-offering">Add an offering</h2>
      <Field label="Name" error={fieldError(err, 'The name', 'name', 'offering.name')}>
        {(p) => <input {...p} value={o.name} onChange={(e) => setO({ ...o, name: e.target.value })} />}
      </Field>
      <Field label="Kind" error={fieldError(err, 'The kind', 'kind', 'offering.kind')}>
        {(p) => (
          <select {...p} value={o.kind} onChange={(e) => setO({ ...o, kind: e.target.value as typeof o.kind })}>
            <option value="OFFERING_KIND_PAID">Paid session</option>
            <option value="OFFERING_KIND_INTRO">Free 20-minute intro</option>
          </select>
        )}
      </Field>
      {o.kind === 'OFFERING_KIND_PAID' && (
        <>
          <Field label="Duration (minutes)" error={fieldError(err, 'The duration', 'duration_minutes', 'offering.duration_minutes')}>
            {(p) => <input {...p} type="number" min={5} max={480} value={o.duration} onChange={(e) => setO({ ...o, duration: Number(e.target.value) })} />}
          </Field>
          <Field label="Price per seat" error={priceBad || fieldError(err, 'The price', 'price_minor_units', 'offering.price_minor_units')}>
            {(p) => <input {...p} inputMode="decimal" value={o.price} onChange={(e) => setO({ ...o, price: e.target.value })} />}
          </Field>
          <Field label="Currency" error={fieldError(err, 'The currency', 'currency_code', 'offering.currency_code')}>
            {(p) => <input {...p} value={o.currency} maxLength={3} onChange={(e) => setO({ ...o, currency: e.target.value.toUpperCase() })} />}
          </Field>
        </>
      )}
      <Field label="Seats per session" hint="1 for one-to-one, more for a class." error={fieldError(err, 'The capacity', 'capacity', 'offering.capacity')}>
        {(p) => <input {...p} type="number" min={1} max={500} value={o.capacity} onChange={(e) => setO({ ...o, capacity: Number(e.target.value) })} />}
      </Field>
      <label className="inline">
        <input type="checkbox" checked={o.approval} onChange={(e) => setO({ ...o, approval: e.target.checked })} /> I approve each booking
      </label>
      <ErrorText error={err} />
      <button type="submit" className="primary" disabled={create.isPending}>
        Add offering
      </button>
    </form>
  );
}
