import { describe, expect, it } from 'vitest';
import { exportQuery, filtersFromSearch, filtersToSearch, listQuery, noFilters } from './filters';

describe('bookings filters', () => {
  it('round-trips through the address, leaving out what is not set', () => {
    const f = { ...noFilters, status: 'BOOKING_STATUS_CONFIRMED' as const, q: 'ada' };
    const s = filtersToSearch(f);
    expect(s.toString()).toBe('status=BOOKING_STATUS_CONFIRMED&q=ada');
    expect(filtersFromSearch(s)).toEqual(f);
  });

  it('turns a date range into whole days in the reader’s zone', () => {
    const q = listQuery({ ...noFilters, from: '2030-01-07', to: '2030-01-07' }, 'Europe/Berlin');
    expect(q.startAfter).toBe('2030-01-06T23:00:00.000Z');
    expect(q.startBefore).toBe('2030-01-07T23:00:00.000Z');
  });

  it('names the export’s parameters after its filter', () => {
    const q = exportQuery({ ...noFilters, method: 'PAYMENT_METHOD_CASH', q: ' x ' }, 'UTC');
    expect(q).toEqual({ 'filter.paymentMethod': 'PAYMENT_METHOD_CASH', 'filter.query': 'x' });
  });
});
