// What the API says when it refuses: google.rpc.Status JSON with an
// ErrorInfo reason and, for bad input, BadRequest field violations. This
// turns it into words for a person, and into messages per form field.

/** One field the API found wrong, as the API names it ("start_time"). */
export interface FieldViolation {
  field: string;
  description: string;
}

interface StatusDetail {
  '@type'?: string;
  reason?: string;
  fieldViolations?: FieldViolation[];
}

/** The google.rpc.Status body of an error response. */
export interface RpcStatus {
  code?: number;
  message?: string;
  details?: StatusDetail[];
}

/** Reasons a person can act on, in their words. Others show the API's message. */
const reasonText: Record<string, string> = {
  SLOT_TAKEN: 'Someone else just booked that time. Pick another one.',
  OVER_CAPACITY: 'There are not enough seats left in that session.',
  OUTSIDE_AVAILABILITY: 'The mentor is not available at that time.',
  NOTICE_TOO_SHORT: 'That time is too soon to book.',
  BEYOND_HORIZON: 'That time is too far ahead to book.',
  INTRO_QUOTA_EXCEEDED: 'You have used all your introductory sessions for that month.',
  INTRO_ALREADY_USED: 'You already had an introductory session with this mentor.',
  MENTOR_UNAVAILABLE: 'This mentor is not taking bookings right now.',
  MENTOR_AWAY: 'The mentor is away then and not taking bookings.',
  WRONG_STATE: 'This booking has changed meanwhile, so that is no longer possible. The page now shows where it stands.',
  NOT_YOUR_TURN: 'The other side has to answer this proposal first.',
  CANCELLATION_REFUSED: 'This booking can no longer be cancelled.',
  MENTOR_CANCEL_FORBIDDEN: 'Mentors cannot cancel a confirmed booking here. Ask the mentee to cancel it.',
  SESSION_NOT_STARTED: 'The session has not started yet. Mark it once it has.',
  NOTHING_TO_REFUND: 'There is no payment left to refund.',
  CARD_DECLINED: 'The card was declined. Try another card.',
  INSUFFICIENT_FUNDS: 'The card has insufficient funds. Try another card.',
  INVALID_CARD: 'That card number is not valid.',
  CONTINUATION_REQUIRED: 'A bundle can be bought only after the mentor approved continuing after an intro session.',
  ALREADY_REVIEWED: 'You already reviewed this session.',
  UNAUTHENTICATED: 'Your sign-in has expired. Sign in again.',
  NOT_ALLOWED_FOR_ROLE: 'Your role may not do this.',
  NOT_YOUR_RESOURCE: 'This belongs to someone else.',
  RATE_LIMITED: 'Too many requests at once. Wait a moment and try again.',
  UNAVAILABLE: 'The service is unavailable just now. Try again in a moment.',
  BOOKING_BUSY: 'Bookings are busy just now. Try again in a moment.',
  BOOKING_NOT_FOUND: 'There is no such booking, or it is not yours.',
  INTERNAL: 'Something went wrong on our side. Try again in a moment.',
};

/** An error response from the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string;
  /** Field violations by the API's field name. */
  readonly fields: Record<string, string>;

  constructor(status: number, body: unknown) {
    const st = (typeof body === 'object' && body !== null ? body : {}) as RpcStatus;
    let reason = '';
    const fields: Record<string, string> = {};
    for (const d of st.details ?? []) {
      if (d.reason && !reason) reason = d.reason;
      for (const v of d.fieldViolations ?? []) {
        if (v.field && !(v.field in fields)) fields[v.field] = v.description;
      }
    }
    super(describe(status, reason, st.message));
    this.name = 'ApiError';
    this.status = status;
    this.reason = reason;
    this.fields = fields;
  }

  /** Fields a form shows next to their control; the rest are listed with the error. */
  private readonly claimed = new Set<string>();

  /**
   * The violation of the first of names that has one (the API may name a
   * field with or without its message's prefix). Every name asked for counts
   * as shown by the form.
   */
  field(...names: string[]): string | undefined {
    for (const n of names) this.claimed.add(n);
    for (const n of names) {
      if (this.fields[n]) return this.fields[n];
    }
    return undefined;
  }

  /** Violations no form field claimed, in words: "Commission bps must be between 0 and 10000." */
  unclaimed(): string[] {
    return Object.entries(this.fields)
      .filter(([f]) => !this.claimed.has(f))
      .map(([f, d]) => violationText(fieldLabel(f), d));
  }
}

/** "settings.approval_window" → "Approval window"; "weekly_hours[1].end_time" → "Weekly hours 2, end time". */
export function fieldLabel(field: string): string {
  const last = field.replace(/^(booking|settings|availability|offering|recipient|review)\./, '');
  const words = last
    .replace(/\[(\d+)\]/g, (_, i) => ` ${Number(i) + 1}`)
    .replace(/\./g, ', ')
    .replace(/_/g, ' ')
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function describe(status: number, reason: string, message?: string): string {
  if (reason === 'INVALID_ARGUMENT') return 'Some of what you entered needs fixing.';
  if (reasonText[reason]) return reasonText[reason];
  if (status === 401) return reasonText.UNAUTHENTICATED;
  if (status >= 500 && !message) return reasonText.INTERNAL;
  return sentence(message || `The request failed (HTTP ${status}).`);
}

/** A sentence: capital first letter and a full stop. */
export function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const c = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(c) ? c : c + '.';
}

/**
 * A violation in words next to its field: "Reason is required." from the
 * label and the API's "is required"; a description that is a sentence of its
 * own stays one.
 */
export function violationText(label: string, description: string): string {
  const d = description.trim();
  if (/^(is|are|must|may|cannot|can't|should|has|have)\b/.test(d)) return sentence(`${label} ${d}`);
  return sentence(d);
}

/** Any thrown thing as a message for a person. */
export function errorMessage(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof TypeError) return 'The console cannot reach the API. Check your connection and try again.';
  if (e instanceof Error) return sentence(e.message);
  return 'Something went wrong.';
}
