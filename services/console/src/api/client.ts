// The REST client: openapi-fetch typed by schema.d.ts, which `make generate`
// writes from the OpenAPI 3 document of the protos. Nothing here names a
// path or a field the contract does not have: the compiler checks it.
import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiError } from './errors';
import { currentToken, expired } from '../auth/session';

type S = components['schemas'];
export type Booking = S['bookwell.booking.v1.Booking'];
export type BookingStatus = NonNullable<Booking['status']>;
export type PaymentMethod = NonNullable<Booking['paymentMethod']>;
export type PaymentStatus = NonNullable<Booking['paymentStatus']>;
export type Money = S['bookwell.booking.v1.Money'];
export type PendingView = S['bookwell.booking.v1.PendingView'];
export type BookingSettings = S['bookwell.booking.v1.BookingSettings'];
export type Offering = S['bookwell.scheduling.v1.Offering'];
export type Availability = S['bookwell.scheduling.v1.Availability'];
export type WeeklyHours = S['bookwell.scheduling.v1.WeeklyHours'];
export type DateException = S['bookwell.scheduling.v1.DateException'];
export type Slot = S['bookwell.scheduling.v1.Slot'];
export type ExternalCalendar = S['bookwell.scheduling.v1.ExternalCalendar'];
export type Notification = S['bookwell.notifications.v1.Notification'];
export type ThreadMessage = S['bookwell.notifications.v1.ThreadMessage'];
export type DevMailboxMessage = S['bookwell.notifications.v1.DevMailboxMessage'];
export type MentorReputation = S['bookwell.reputation.v1.MentorReputation'];
export type MenteeHistory = S['bookwell.reputation.v1.MenteeHistory'];
export type Bundle = S['bookwell.payments.v1.Bundle'];
export type Payout = S['bookwell.payments.v1.Payout'];
export type Payment = S['bookwell.payments.v1.Payment'];
export type DeadLetter = S['bookwell.operator.v1.DeadLetter'];
export type ListBookingsQuery = NonNullable<paths['/v1/bookings']['get']['parameters']['query']>;

export const api = createClient<paths>({
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
});

api.use({
  onRequest({ request }) {
    const token = currentToken();
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    return request;
  },
  onResponse({ response }) {
    if (response.status === 401) expired();
    return response;
  },
});

/** The data of an answer, or the API's refusal as an ApiError. */
export async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (!response.ok) throw new ApiError(response.status, error);
  return data as T;
}

/** A fresh key for a command that must happen once even if retried. */
export function requestId(): string {
  return crypto.randomUUID();
}
