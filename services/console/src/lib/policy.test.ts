import { describe, expect, it } from 'vitest';
import type { Booking } from '../api/client';
import { cancelConsequence } from './policy';

const now = new Date('2030-01-01T12:00:00Z');
const confirmed: Booking = {
  status: 'BOOKING_STATUS_CONFIRMED',
  startTime: '2030-01-05T12:00:00Z',
  price: { currency: 'EUR', amountMinor: '5000' },
  paymentStatus: 'PAYMENT_STATUS_PAID',
  cancellationPolicy: {
    freeUntil: '2030-01-04T12:00:00Z',
    lateMenteeCancellation: 'LATE_CANCELLATION_MENTOR_PAID',
    mentorMayCancel: true,
    commissionBps: 1000,
  },
};

describe('what cancelling does', () => {
  it('refunds a mentee in full before the notice runs out', () => {
    expect(cancelConsequence(confirmed, 'mentee', now)).toEqual({ allowed: true, text: 'You are refunded €50.00 in full.' });
  });

  it('pays the mentor minus commission when the mentee cancels late', () => {
    const c = cancelConsequence(confirmed, 'mentee', new Date('2030-01-04T13:00:00Z'));
    expect(c.allowed).toBe(true);
    expect(c.text).toMatch(/not refunded.*10% commission/);
  });

  it('refuses a late mentee cancellation when the policy does', () => {
    const b = { ...confirmed, cancellationPolicy: { ...confirmed.cancellationPolicy, lateMenteeCancellation: 'LATE_CANCELLATION_REFUSED' as const } };
    expect(cancelConsequence(b, 'mentee', new Date('2030-01-04T13:00:00Z')).allowed).toBe(false);
  });

  it('refunds only what is left after a partial refund', () => {
    const b = { ...confirmed, refunded: { currency: 'EUR', amountMinor: '2000' } };
    expect(cancelConsequence(b, 'mentor', now).text).toMatch(/€30.00 in full.*streak/);
  });

  it('tells a mentor who may not cancel to ask the mentee', () => {
    const b = { ...confirmed, cancellationPolicy: { ...confirmed.cancellationPolicy, mentorMayCancel: false } };
    expect(cancelConsequence(b, 'mentor', now)).toMatchObject({ allowed: false });
  });

  it('releases the card hold of a request', () => {
    const b: Booking = { ...confirmed, status: 'BOOKING_STATUS_PENDING', paymentStatus: 'PAYMENT_STATUS_AUTHORIZED' };
    expect(cancelConsequence(b, 'mentee', now).text).toMatch(/Nothing has been charged/);
  });

  it('does not cancel a session that has started or ended', () => {
    expect(cancelConsequence(confirmed, 'mentee', new Date('2030-01-05T12:01:00Z')).allowed).toBe(false);
    expect(cancelConsequence({ ...confirmed, status: 'BOOKING_STATUS_COMPLETED' }, 'mentor', now).allowed).toBe(false);
  });
});
