// Words for the API's enums.
import type { BookingStatus, PaymentMethod, PaymentStatus } from '../api/client';

export const statusLabel: Record<BookingStatus, string> = {
  BOOKING_STATUS_UNSPECIFIED: 'Unknown',
  BOOKING_STATUS_PENDING: 'Pending',
  BOOKING_STATUS_NEGOTIATING: 'New time proposed',
  BOOKING_STATUS_AWAITING_PAYMENT: 'Awaiting payment',
  BOOKING_STATUS_CONFIRMED: 'Confirmed',
  BOOKING_STATUS_PENDING_CONFIRMATION: 'Pending confirmation',
  BOOKING_STATUS_COMPLETED: 'Completed',
  BOOKING_STATUS_NO_SHOW: 'No-show',
  BOOKING_STATUS_REJECTED: 'Rejected',
  BOOKING_STATUS_EXPIRED: 'Expired',
  BOOKING_STATUS_CANCELLED: 'Cancelled',
  BOOKING_STATUS_AWAITING_AUTHENTICATION: 'Awaiting card authentication',
};

export const paymentStatusLabel: Record<PaymentStatus, string> = {
  PAYMENT_STATUS_UNSPECIFIED: 'Unknown',
  PAYMENT_STATUS_NONE: 'Free',
  PAYMENT_STATUS_UNPAID: 'Unpaid',
  PAYMENT_STATUS_AUTHORIZED: 'Card held, not charged',
  PAYMENT_STATUS_PAID: 'Paid',
  PAYMENT_STATUS_PARTIALLY_REFUNDED: 'Partially refunded',
  PAYMENT_STATUS_REFUNDED: 'Refunded',
  PAYMENT_STATUS_AWAITING_AUTHENTICATION: 'Card awaiting authentication (3-D Secure)',
};

export const paymentMethodLabel: Record<PaymentMethod, string> = {
  PAYMENT_METHOD_UNSPECIFIED: 'Not set',
  PAYMENT_METHOD_NONE: 'Free',
  PAYMENT_METHOD_CARD: 'Card',
  PAYMENT_METHOD_BANK_TRANSFER: 'Bank transfer',
  PAYMENT_METHOD_PAYPAL: 'PayPal',
  PAYMENT_METHOD_VENMO: 'Venmo',
  PAYMENT_METHOD_CASH: 'Cash',
  PAYMENT_METHOD_BUNDLE: 'Bundle credit',
};

/** Statuses a list can filter by, in lifecycle order. */
export const filterableStatuses: BookingStatus[] = [
  'BOOKING_STATUS_AWAITING_AUTHENTICATION',
  'BOOKING_STATUS_PENDING',
  'BOOKING_STATUS_NEGOTIATING',
  'BOOKING_STATUS_AWAITING_PAYMENT',
  'BOOKING_STATUS_CONFIRMED',
  'BOOKING_STATUS_PENDING_CONFIRMATION',
  'BOOKING_STATUS_COMPLETED',
  'BOOKING_STATUS_NO_SHOW',
  'BOOKING_STATUS_REJECTED',
  'BOOKING_STATUS_EXPIRED',
  'BOOKING_STATUS_CANCELLED',
];

export const manualMethods: PaymentMethod[] = [
  'PAYMENT_METHOD_BANK_TRANSFER',
  'PAYMENT_METHOD_PAYPAL',
  'PAYMENT_METHOD_VENMO',
  'PAYMENT_METHOD_CASH',
];

export const roleLabel: Record<string, string> = {
  ROLE_MENTEE: 'the mentee',
  ROLE_MENTOR: 'the mentor',
  ROLE_ADMIN: 'an operator',
  ROLE_SYSTEM: 'bookwell',
};
