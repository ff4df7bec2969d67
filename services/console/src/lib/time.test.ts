import { describe, expect, it } from 'vitest';
import { addDays, durationHours, formatDateTime, fromLocalInput, hoursDuration, localDate, toLocalInput } from './time';

describe('times in the reader’s zone', () => {
  it('shows one instant in each reader’s zone', () => {
    const at = '2030-01-07T08:00:00Z';
    expect(formatDateTime(at, 'Europe/Berlin')).toBe('Mon, 7 Jan 2030, 09:00 CET');
    expect(formatDateTime(at, 'America/New_York')).toBe('Mon, 7 Jan 2030, 03:00 GMT-5');
  });

  it('turns a wall-clock time in a zone into UTC and back', () => {
    expect(fromLocalInput('2030-01-07T09:00', 'Europe/Berlin')).toBe('2030-01-07T08:00:00.000Z');
    expect(toLocalInput('2030-01-07T08:00:00Z', 'Europe/Berlin')).toBe('2030-01-07T09:00');
  });

  it('follows daylight saving: the same wall time is an hour apart in UTC across the change', () => {
    // Berlin moves to summer time on 31 March 2030.
    expect(fromLocalInput('2030-03-30T10:00', 'Europe/Berlin')).toBe('2030-03-30T09:00:00.000Z');
    expect(fromLocalInput('2030-03-31T10:00', 'Europe/Berlin')).toBe('2030-03-31T08:00:00.000Z');
  });

  it('moves a skipped wall time forward with the clock', () => {
    // 02:30 does not exist in Berlin on 31 March 2030.
    expect(fromLocalInput('2030-03-31T02:30', 'Europe/Berlin')).toBe('2030-03-31T01:30:00.000Z');
  });

  it('finds the reader’s calendar date, which may differ from UTC’s', () => {
    expect(localDate('2030-01-07T02:00:00Z', 'America/New_York')).toBe('2030-01-06');
    expect(localDate('2030-01-07T02:00:00Z', 'Asia/Tokyo')).toBe('2030-01-07');
  });

  it('adds days to a date across months', () => {
    expect(addDays('2030-01-30', 3)).toBe('2030-02-02');
  });

  it('reads and writes protobuf durations in hours', () => {
    expect(durationHours('604800s')).toBe(168);
    expect(durationHours('5400s')).toBe(1.5);
    expect(hoursDuration(24)).toBe('86400s');
  });
});
