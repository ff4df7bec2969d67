// What cancelling a booking will do, told before the person confirms. The
// booking carries the policy fixed when it was requested; the server decides
// again when it cancels, and its outcome is what the page shows after.
import type { Booking } from '../api/client';
import { formatMoney, minor } from './money';

export interface CancelConsequence {
  /** Whether this person may cancel it now. */
  allowed: boolean;
  /** What happens, in a sentence or two. */
  text: string;
}

const open = new Set(['BOOKING_STATUS_PENDING', 'BOOKING_STATUS_NEGOTIATING', 'BOOKING_STATUS_AWAITING_PAYMENT']);

export function cancelConsequence(b: Booking, by: 'mentee' | 'mentor' | 'admin', now: Date): CancelConsequence {
  const status = b.status ?? 'BOOKING_STATUS_UNSPECIFIED';
  const policy = b.cancellationPolicy ?? {};
  const price = b.price;
  const left = { currency: price?.currency, amountMinor: minor(price) - minor(b.refunded) };
  const paid = b.paymentStatus === 'PAYMENT_STATUS_PAID' || b.paymentStatus === 'PAYMENT_STATUS_PARTIALLY_REFUNDED';
  const free = !price || minor(price) === 0 || b.paymentStatus === 'PAYMENT_STATUS_NONE';

  if (open.has(status)) {
    if (paid) return { allowed: true, text: `The request ends and ${formatMoney(left)} is refunded in full.` };
    return { allowed: true, text: 'The request ends. Nothing has been charged, and any card hold is released.' };
  }
  if (status !== 'BOOKING_STATUS_CONFIRMED') {
    return { allowed: false, text: 'Only a request or an upcoming session can be cancelled.' };
  }
  if (b.startTime && Date.parse(b.startTime) <= now.getTime()) {
    return { allowed: false, text: 'The session has started; it can no longer be cancelled.' };
  }
  if (by === 'mentor' || by === 'admin') {
    if (by === 'mentor' && policy.mentorMayCancel === false) {
      return { allowed: false, text: 'Mentors cannot cancel a confirmed session here: ask the mentee to cancel it.' };
    }
    const money = free ? 'Nothing was charged.' : `The mentee is refunded ${formatMoney(left)} in full.`;
    const streak = by === 'mentor' ? ' It counts toward your cancellation streak.' : '';
    return { allowed: true, text: `${money}${streak}` };
  }
  // The mentee cancels an upcoming session.
  const freeUntil = policy.freeUntil ? Date.parse(policy.freeUntil) : undefined;
  if (free) return { allowed: true, text: 'The session is cancelled. It was free, so there is nothing to refund.' };
  if (freeUntil === undefined || now.getTime() < freeUntil) {
    return { allowed: true, text: `You are refunded ${formatMoney(left)} in full.` };
  }
  if (policy.lateMenteeCancellation === 'LATE_CANCELLATION_REFUSED') {
    return { allowed: false, text: 'It is too late to cancel this session.' };
  }
  const pct = (policy.commissionBps ?? 0) / 100;
  return {
    allowed: true,
    text: `It is less than the free-cancellation notice before the session: you are not refunded, and the mentor is paid the fee minus the platform's ${pct}% commission.`,
  };
}
