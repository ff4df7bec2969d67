import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type ExternalCalendar } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorText, Facts, Field, Loaded, fieldError } from '../../components/ui';
import { formatDateTime } from '../../lib/time';

/**
 * The mentor's other calendars: feeds whose busy times bookwell keeps out of
 * the free slots, each with when it was last read and why the last try
 * failed, if it did.
 */
export function Calendars() {
  const s = useSession();
  const queries = useQueryClient();
  const key = ['externalCalendars', s.subject];
  const q = useQuery({
    queryKey: key,
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/externalCalendars', { params: { path: { mentorId: s.subject } } })),
    refetchInterval: 60_000,
  });
  const refresh = useMutation({
    mutationFn: (id: string) =>
      ok(api.POST('/v1/mentors/{mentorId}/externalCalendars/{calendarId}:refresh', { params: { path: { mentorId: s.subject, calendarId: id } }, body: {} })),
    onSuccess: () => queries.invalidateQueries({ queryKey: key }),
  });
  const remove = useMutation({
    mutationFn: (id: string) =>
      ok(api.DELETE('/v1/mentors/{mentorId}/externalCalendars/{calendarId}', { params: { path: { mentorId: s.subject, calendarId: id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: key }),
  });
  return (
    <section>
      <h1>Other calendars</h1>
      <p>
        Connect the calendars you keep elsewhere by their ICS address (in Google Calendar: Settings → your calendar → “Secret address in
        iCal format”; in Outlook: Publish calendar → ICS). bookwell reads them every 15 minutes: their busy times are taken out of your free
        slots, and a pending request that now overlaps one says so.
      </p>
      <Loaded q={q}>
        {(d) =>
          d.externalCalendars?.length ? (
            <ul className="cards">
              {d.externalCalendars.map((c) => (
                <CalendarCard
                  key={c.id}
                  c={c}
                  tz={s.timeZone}
                  onRefresh={() => refresh.mutate(c.id!)}
                  onRemove={() => remove.mutate(c.id!)}
                  busy={refresh.isPending || remove.isPending}
                />
              ))}
            </ul>
          ) : (
            <p>No other calendar connected.</p>
          )
        }
      </Loaded>
      <ErrorText error={refresh.error ?? remove.error} />
      <NewCalendar />
    </section>
  );
}

function CalendarCard({ c, tz, onRefresh, onRemove, busy }: { c: ExternalCalendar; tz: string; onRefresh: () => void; onRemove: () => void; busy: boolean }) {
  const failing = !!c.lastError;
  return (
    <li className="card" aria-label={c.name}>
      <h2 className="card-title">
        {c.name} <span className={failing ? 'badge badge-expired' : 'badge badge-confirmed'}>{failing ? 'Last fetch failed' : 'Up to date'}</span>
      </h2>
      <Facts
        items={[
          ['Address', c.url],
          ['Busy times from', c.fetchTime ? `${formatDateTime(c.fetchTime, tz)} (${c.busyPeriods ?? 0} busy periods)` : 'never read'],
          ['Last tried', formatDateTime(c.lastAttemptTime, tz)],
          ['Why it failed', failing ? `${c.lastError}. The busy times above still count.` : undefined],
        ]}
      />
      <button type="button" onClick={onRefresh} disabled={busy}>
        Refresh {c.name} now
      </button>{' '}
      <button type="button" onClick={onRemove} disabled={busy}>
        Remove {c.name}
      </button>
    </li>
  );
}

function NewCalendar() {
  const s = useSession();
  const queries = useQueryClient();
  const [c, setC] = useState({ name: '', url: '' });
  const add = useMutation({
    mutationFn: (body: ExternalCalendar) => ok(api.POST('/v1/mentors/{mentorId}/externalCalendars', { params: { path: { mentorId: s.subject } }, body })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['externalCalendars', s.subject] });
      setC({ name: '', url: '' });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate({ name: c.name, url: c.url });
  }
  const err = add.error;
  return (
    <form onSubmit={submit} noValidate aria-labelledby="new-calendar">
      <h2 id="new-calendar">Connect a calendar</h2>
      <Field label="Name" hint="For you, and for the conflicts it shows: “Work”." error={fieldError(err, 'The name', 'name', 'external_calendar.name')}>
        {(p) => <input {...p} value={c.name} onChange={(e) => setC({ ...c, name: e.target.value })} />}
      </Field>
      <Field label="ICS address" hint="https://… or webcal://…" error={fieldError(err, 'The address', 'url', 'external_calendar.url')}>
        {(p) => <input {...p} type="url" value={c.url} onChange={(e) => setC({ ...c, url: e.target.value })} />}
      </Field>
      <ErrorText error={err} />
      <button type="submit" className="primary" disabled={add.isPending}>
        {add.isPending ? 'Reading the calendar…' : 'Connect calendar'}
      </button>
    </form>
  );
}
