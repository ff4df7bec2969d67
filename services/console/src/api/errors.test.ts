import { describe, expect, it } from 'vitest';
import { ApiError, errorMessage, violationText } from './errors';

const badRequest = {
  code: 3,
  message: 'invalid request: reason must not be empty',
  details: [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: [{ field: 'reason', description: 'is required' }] },
    { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'INVALID_ARGUMENT', domain: 'bookwell.app' },
  ],
};

describe('ApiError', () => {
  it('keeps field violations by field and says to look at the fields', () => {
    const e = new ApiError(400, badRequest);
    expect(e.reason).toBe('INVALID_ARGUMENT');
    expect(e.field('booking.reason', 'reason')).toBe('is required');
    expect(e.message).toMatch(/needs fixing/);
  });

  it('puts a reason a person can act on in their words', () => {
    const e = new ApiError(409, { code: 10, message: 'that time is already booked', details: [{ reason: 'SLOT_TAKEN' }] });
    expect(e.message).toBe('Someone else just booked that time. Pick another one.');
  });

  it("shows the API's own message for a reason it does not know, as a sentence", () => {
    const e = new ApiError(409, { code: 10, message: 'the bundle has no credit left', details: [{ reason: 'BUNDLE_USED_UP' }] });
    expect(e.message).toBe('The bundle has no credit left.');
  });

  it('copes with a body that is not a status at all', () => {
    expect(new ApiError(502, 'Bad gateway').message).toBe(
      'Something went wrong on our side. Try again in a moment.',
    );
    expect(new ApiError(401, undefined).message).toMatch(/sign in again/i);
  });
});

describe('violations no field shows', () => {
  it('are listed in words, once a form has claimed its own', () => {
    const e = new ApiError(400, {
      details: [
        { fieldViolations: [{ field: 'reason', description: 'is required' }, { field: 'weekly_hours[1].end_time', description: 'must be after the start' }] },
        { reason: 'INVALID_ARGUMENT' },
      ],
    });
    expect(e.field('reason')).toBe('is required');
    expect(e.unclaimed()).toEqual(['Weekly hours 2, end time must be after the start.']);
  });
});

describe('violationText', () => {
  it('joins the label to a description that continues it', () => {
    expect(violationText('Reason', 'is required')).toBe('Reason is required.');
    expect(violationText('Amount', 'must not be negative')).toBe('Amount must not be negative.');
  });
  it('keeps a description that is a sentence of its own', () => {
    expect(violationText('Start', "pick one of the mentee's preferred times")).toBe("Pick one of the mentee's preferred times.");
  });
});

describe('errorMessage', () => {
  it('says the API is unreachable for a network failure', () => {
    expect(errorMessage(new TypeError('Failed to fetch'))).toMatch(/cannot reach/);
  });
});
