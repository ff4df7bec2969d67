// The bookings list's filters live in the page's address (so a filtered view
// can be bookmarked and shared) and become ListBookings' query parameters.
import type { BookingStatus, ListBookingsQuery, PaymentMethod } from '../api/client';
import { addDays, startOfLocalDay } from './time';

export interface Filters {
  status: BookingStatus | '';
  from: string; // "YYYY-MM-DD" in the reader's zone, inclusive
  to: string; // inclusive
  method: PaymentMethod | '';
  offering: string;
  q: string;
}

export const noFilters: Filters = { status: '', from: '', to: '', method: '', offering: '', q: '' };

export function filtersFromSearch(params: URLSearchParams): Filters {
  return {
    status: (params.get('status') ?? '') as Filters['status'],
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    method: (params.get('method') ?? '') as Filters['method'],
    offering: params.get('offering') ?? '',
    q: params.get('q') ?? '',
  };
}

export function filtersToSearch(f: Filters): URLSearchParams {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) {
    if (v) p.set(k, v);
  }
  return p;
}

/** ListBookings' query for the filters; dates are whole days in tz. */
export function listQuery(f: Filters, tz: string): ListBookingsQuery {
  const q: ListBookingsQuery = {};
  if (f.status) q.statuses = [f.status];
  if (f.from) q.startAfter = startOfLocalDay(f.from, tz);
  if (f.to) q.startBefore = startOfLocalDay(addDays(f.to, 1), tz);
  if (f.method) q.paymentMethod = f.method;
  if (f.offering) q.offeringId = f.offering;
  if (f.q.trim()) q.query = f.q.trim();
  return q;
}

/** The same filters as ExportBookings' query ("filter." prefixed). */
export function exportQuery(f: Filters, tz: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(listQuery(f, tz))) {
    if (v !== undefined) out[`filter.${k}`] = v as string | string[];
  }
  return out;
}
