import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type DeadLetter } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorText, Field, Loaded } from '../../components/ui';
import { formatDateTime } from '../../lib/time';

/** The services whose consumers keep dead letters. */
const services = ['notifications', 'payments', 'reputation', 'scheduling'] as const;
type Service = (typeof services)[number];

function list(service: Service, includeRedriven: boolean) {
  const query = { query: { includeRedriven, pageSize: 200 } };
  switch (service) {
    case 'notifications':
      return ok(api.GET('/v1/admin/notifications/deadLetters', { params: query }));
    case 'payments':
      return ok(api.GET('/v1/admin/payments/deadLetters', { params: query }));
    case 'reputation':
      return ok(api.GET('/v1/admin/reputation/deadLetters', { params: query }));
    case 'scheduling':
      return ok(api.GET('/v1/admin/scheduling/deadLetters', { params: query }));
  }
}

function redrive(service: Service, id: string) {
  const params = { params: { path: { id } }, body: {} };
  switch (service) {
    case 'notifications':
      return ok(api.POST('/v1/admin/notifications/deadLetters/{id}:redrive', params));
    case 'payments':
      return ok(api.POST('/v1/admin/payments/deadLetters/{id}:redrive', params));
    case 'reputation':
      return ok(api.POST('/v1/admin/reputation/deadLetters/{id}:redrive', params));
    case 'scheduling':
      return ok(api.POST('/v1/admin/scheduling/deadLetters/{id}:redrive', params));
  }
}

/** The events a service's consumers gave up on, each redriven with a click once its cause is fixed. */
export function DeadLetters() {
  const [service, setService] = useState<Service>('notifications');
  const [all, setAll] = useState(false);
  const q = useQuery({ queryKey: ['deadLetters', service, all], queryFn: () => list(service, all) });
  return (
    <section>
      <h1>Dead letters</h1>
      <p className="hint">
        Events a service could not handle. Fix the cause first (the reason says it), then redrive: the event is handled once, however
        often you click.
      </p>
      <div className="inline-form">
        <Field label="Service">
          {(p) => (
            <select {...p} value={service} onChange={(e) => setService(e.target.value as Service)}>
              {services.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          )}
        </Field>
        <label className="inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} /> Include those redriven
        </label>
      </div>
      <Loaded q={q}>
        {(d) =>
          d.deadLetters?.length ? (
            <ul className="cards">
              {d.deadLetters.map((x) => (
                <DeadLetterCard key={x.id} service={service} d={x} />
              ))}
            </ul>
          ) : (
            <p>No dead letters in {service}.</p>
          )
        }
      </Loaded>
    </section>
  );
}

function DeadLetterCard({ service, d }: { service: Service; d: DeadLetter }) {
  const s = useSession();
  const queries = useQueryClient();
  const run = useMutation({
    mutationFn: () => redrive(service, d.id!),
    onSettled: () => queries.invalidateQueries({ queryKey: ['deadLetters', service] }),
  });
  return (
    <li className="card">
      <article aria-label={`${d.subject} for ${d.consumer}`}>
        <p>
          <strong>{d.subject}</strong> · {d.consumer} · dead since {formatDateTime(d.deadLetterTime, s.timeZone)}
        </p>
        <p>Reason: {d.reason}</p>
        {d.redriveTime ? (
          <p role="status">
            Redriven {formatDateTime(d.redriveTime, s.timeZone)} by {d.redrivenBy}
          </p>
        ) : (
          <button type="button" className="primary" onClick={() => run.mutate()} disabled={run.isPending}>
            Redrive
          </button>
        )}
        <ErrorText error={run.error} />
        <details>
          <summary>Message</summary>
          <pre className="mail">{d.message}</pre>
        </details>
      </article>
    </li>
  );
}
