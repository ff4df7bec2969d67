// Times: stored and sent in UTC, always shown in the reader's time zone.
import { TZDate } from '@date-fns/tz';

const locale = 'en-GB';

/** "Mon, 7 Jan 2030, 09:00 CET" in tz. */
export function formatDateTime(iso: string | undefined, tz: string): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(locale, {
    timeZone: tz,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

/** "09:00" in tz. */
export function formatTime(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    new Date(iso),
  );
}

/** "Monday 7 January" in tz. */
export function formatDay(iso: string, tz: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: tz, weekday: 'long', day: 'numeric', month: 'long' }).format(
    new Date(iso),
  );
}

/** The wall-clock parts of an instant in tz. */
function parts(d: Date, tz: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d)) {
    out[p.type] = p.value;
  }
  return out;
}

/** The calendar date "YYYY-MM-DD" of an instant in tz. */
export function localDate(iso: string | Date, tz: string): string {
  const p = parts(new Date(iso), tz);
  return `${p.year}-${p.month}-${p.day}`;
}

/** An instant as a datetime-local input's value ("YYYY-MM-DDTHH:MM") in tz. */
export function toLocalInput(iso: string | Date, tz: string): string {
  const p = parts(new Date(iso), tz);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The instant (ISO, UTC) a wall-clock time in tz stands for: a
 * datetime-local value, or a date and an "HH:MM" time. A time that does not
 * exist (skipped by a daylight-saving change) moves forward with the clock.
 */
export function fromLocalInput(value: string, tz: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`not a date and time: ${value}`);
  const [, y, mo, d, h, mi] = m.map(Number);
  return new Date(new TZDate(y, mo - 1, d, h, mi, tz).getTime()).toISOString();
}

/** Midnight starting the date "YYYY-MM-DD" in tz, as an ISO instant. */
export function startOfLocalDay(date: string, tz: string): string {
  return fromLocalInput(`${date}T00:00`, tz);
}

/** The date n days after "YYYY-MM-DD". */
export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** Whole minutes between two instants. */
export function minutesBetween(start?: string, end?: string): number {
  if (!start || !end) return 0;
  return Math.round((Date.parse(end) - Date.parse(start)) / 60000);
}

/** A protobuf Duration ("86400s") in hours, and back. */
export function durationHours(d?: string): number | '' {
  if (!d) return '';
  const s = Number.parseFloat(d.replace(/s$/, ''));
  return Number.isFinite(s) ? Math.round((s / 3600) * 100) / 100 : '';
}
export function hoursDuration(h: number): string {
  return `${Math.round(h * 3600)}s`;
}

/** Time zones the browser knows, for pickers. */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf?.('timeZone') ?? [];
  return all.includes('UTC') ? all : ['UTC', ...all];
}
