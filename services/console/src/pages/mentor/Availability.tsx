// Weekly hours in the mentor's zone, date exceptions, booking rules and away
// mode: the mentor's availability, saved as a whole.
import { useEffect, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Availability, type DateException, type WeeklyHours } from '../../api/client';
import { ApiError, violationText } from '../../api/errors';
import { useSession } from '../../auth/session';
import { ErrorText, Field, Loaded, fieldError } from '../../components/ui';
import { fromLocalInput, timeZones, toLocalInput } from '../../lib/time';

const days: Array<[NonNullable<WeeklyHours['day']>, string]> = [
  ['DAY_OF_WEEK_MONDAY', 'Monday'],
  ['DAY_OF_WEEK_TUESDAY', 'Tuesday'],
  ['DAY_OF_WEEK_WEDNESDAY', 'Wednesday'],
  ['DAY_OF_WEEK_THURSDAY', 'Thursday'],
  ['DAY_OF_WEEK_FRIDAY', 'Friday'],
  ['DAY_OF_WEEK_SATURDAY', 'Saturday'],
  ['DAY_OF_WEEK_SUNDAY', 'Sunday'],
];

export function AvailabilityPage() {
  const s = useSession();
  const q = useQuery({
    queryKey: ['availability', s.subject],
    queryFn: () => ok(api.GET('/v1/mentors/{mentorId}/availability', { params: { path: { mentorId: s.subject } } })),
  });
  return (
    <section>
      <h1>Availability</h1>
      <Loaded q={q}>{(d) => <AvailabilityForm initial={d.availability ?? {}} />}</Loaded>
    </section>
  );
}

/** Violations about a list (weekly_hours[2].end_time) shown by the list. */
function listErrors(error: unknown, prefix: string): string[] {
  if (!(error instanceof ApiError)) return [];
  return Object.entries(error.fields)
    .filter(([f]) => f.startsWith(prefix) || f.startsWith(`availability.${prefix}`))
    .map(([f, d]) => violationText(f.replace(/^availability\./, '').replace(/_/g, ' '), d));
}

function AvailabilityForm({ initial }: { initial: Availability }) {
  const s = useSession();
  const queries = useQueryClient();
  const [tz, setTz] = useState(initial.timeZone || s.timeZone);
  const [hours, setHours] = useState<WeeklyHours[]>(initial.weeklyHours ?? []);
  const [exceptions, setExceptions] = useState<DateException[]>(initial.exceptions ?? []);
  const [buffer, setBuffer] = useState(initial.bufferMinutes ?? 0);
  const [notice, setNotice] = useState(initial.minNoticeMinutes ?? 0);
  const [horizon, setHorizon] = useState(initial.horizonDays ?? 0);
  const [awayFrom, setAwayFrom] = useState(initial.awayStartTime ? toLocalInput(initial.awayStartTime, initial.timeZone || s.timeZone) : '');
  const [awayTo, setAwayTo] = useState(initial.awayEndTime ? toLocalInput(initial.awayEndTime, initial.timeZone || s.timeZone) : '');
  useEffect(() => setTz(initial.timeZone || s.timeZone), [initial.timeZone, s.timeZone]);

  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PUT('/v1/mentors/{mentorId}/availability', {
          params: { path: { mentorId: s.subject } },
          body: {
            timeZone: tz,
            weeklyHours: hours,
            exceptions,
            bufferMinutes: buffer,
            minNoticeMinutes: notice,
            horizonDays: horizon,
            awayStartTime: awayFrom ? fromLocalInput(awayFrom, tz) : undefined,
            awayEndTime: awayTo ? fromLocalInput(awayTo, tz) : undefined,
          },
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: ['availability', s.subject] }),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  const setHour = (i: number, patch: Partial<WeeklyHours>) => setHours(hours.map((h, j) => (j === i ? { ...h, ...patch } : h)));
  const setExc = (i: number, patch: Partial<DateException>) => setExceptions(exceptions.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const hourErrors = listErrors(save.error, 'weekly_hours');
  const excErrors = listErrors(save.error, 'exceptions');
  return (
    <form onSubmit={submit}>
      <Field label="Time zone of your hours" error={fieldError(save.error, 'The time zone', 'time_zone', 'availability.time_zone')}>
        {(p) => (
          <select {...p} value={tz} onChange={(e) => setTz(e.target.value)}>
            {timeZones().map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        )}
      </Field>
      <fieldset aria-describedby={hourErrors.length ? 'hours-errors' : undefined}>
        <legend>Weekly hours</legend>
        {hours.length === 0 && <p>No weekly hours: nobody can book you.</p>}
        {hours.map((h, i) => (
          <div className="row" key={i} role="group" aria-label={`Weekly hours ${i + 1}`}>
            <label>
              Day{' '}
              <select value={h.day} onChange={(e) => setHour(i, { day: e.target.value as WeeklyHours['day'] })}>
                {days.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
            <label>
              From <input type="time" value={h.startTime ?? ''} onChange={(e) => setHour(i, { startTime: e.target.value })} />
            </label>
            <label>
              To <input value={h.endTime ?? ''} pattern="\d{2}:\d{2}" placeholder="17:00" size={5} onChange={(e) => setHour(i, { endTime: e.target.value })} />
            </label>
            <button type="button" onClick={() => setHours(hours.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setHours([...hours, { day: 'DAY_OF_WEEK_MONDAY', startTime: '09:00', endTime: '17:00' }])}>
          Add hours
        </button>
        {hourErrors.length > 0 && (
          <ul id="hours-errors" className="field-error">
            {hourErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </fieldset>
      <fieldset>
        <legend>Exceptions</legend>
        {exceptions.map((x, i) => (
          <div className="row" key={i} role="group" aria-label={`Exception ${i + 1}`}>
            <label>
              Date <input type="date" value={x.date ?? ''} onChange={(e) => setExc(i, { date: e.target.value })} />
            </label>
            <label>
              Kind{' '}
              <select value={x.kind} onChange={(e) => setExc(i, { kind: e.target.value as DateException['kind'] })}>
                <option value="EXCEPTION_KIND_BLOCKED">Not available</option>
                <option value="EXCEPTION_KIND_EXTRA_HOURS">Extra hours</option>
              </select>
            </label>
            <label>
              From <input type="time" value={x.startTime ?? ''} onChange={(e) => setExc(i, { startTime: e.target.value })} />
            </label>
            <label>
              To <input type="time" value={x.endTime ?? ''} onChange={(e) => setExc(i, { endTime: e.target.value })} />
            </label>
            <button type="button" onClick={() => setExceptions(exceptions.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        <button type="button" onClick={() => setExceptions([...exceptions, { date: '', kind: 'EXCEPTION_KIND_BLOCKED' }])}>
          Add an exception
        </button>
        <p className="hint">A blocked day with no hours blocks the whole day.</p>
        {excErrors.length > 0 && (
          <ul className="field-error">
            {excErrors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </fieldset>
      <fieldset>
        <legend>Booking rules</legend>
        <Field label="Minutes free after each session" error={fieldError(save.error, 'The buffer', 'buffer_minutes', 'availability.buffer_minutes')}>
          {(p) => <input {...p} type="number" min={0} max={240} value={buffer} onChange={(e) => setBuffer(Number(e.target.value))} />}
        </Field>
        <Field label="Minimum notice, in minutes" hint="0 means the default, 24 hours." error={fieldError(save.error, 'The notice', 'min_notice_minutes', 'availability.min_notice_minutes')}>
          {(p) => <input {...p} type="number" min={0} value={notice} onChange={(e) => setNotice(Number(e.target.value))} />}
        </Field>
        <Field label="How many days ahead" hint="0 means the default, 90 days." error={fieldError(save.error, 'The horizon', 'horizon_days', 'availability.horizon_days')}>
          {(p) => <input {...p} type="number" min={0} value={horizon} onChange={(e) => setHorizon(Number(e.target.value))} />}
        </Field>
      </fieldset>
      <fieldset>
        <legend>Away mode</legend>
        <p className="hint">No new bookings start while you are away; existing ones stay.</p>
        <Field label={`Away from (${tz})`} error={fieldError(save.error, 'The start', 'away_start_time', 'availability.away_start_time')}>
          {(p) => <input {...p} type="datetime-local" value={awayFrom} onChange={(e) => setAwayFrom(e.target.value)} />}
        </Field>
        <Field label={`Back on (${tz})`} error={fieldError(save.error, 'The end', 'away_end_time', 'availability.away_end_time')}>
          {(p) => <input {...p} type="datetime-local" value={awayTo} onChange={(e) => setAwayTo(e.target.value)} />}
        </Field>
        {(awayFrom || awayTo) && (
          <button
            type="button"
            onClick={() => {
              setAwayFrom('');
              setAwayTo('');
            }}
          >
            Not away
          </button>
        )}
      </fieldset>
      <ErrorText error={save.error} />
      {save.isSuccess && <p role="status">Availability saved.</p>}
      <button type="submit" className="primary" disabled={save.isPending}>
        Save availability
      </button>
    </form>
  );
}
