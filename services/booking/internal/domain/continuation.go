package domain

import "time"

// CheckContinuation checks the mentor's decision after an intro session.
func (b *Booking) CheckContinuation(a Actor, approve bool, reason string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.offeringKind != OfferingIntro {
		return ErrNotIntro
	}
	if b.status != StatusCompleted {
		return wrongState(b, "decide on continuation once the intro session is completed")
	}
	if b.continuation != "" {
		return wrongState(b, "continuation was already decided")
	}
	if !approve {
		return required("reason", reason, MaxReasonLength)
	}
	return nil
}

// DecideContinuation records the decision.
func (b *Booking) DecideContinuation(a Actor, approve bool, reason string, now time.Time) error {
	if err := b.CheckContinuation(a, approve, reason); err != nil {
		return err
	}
	b.continuation = ContinuationRejected
	if approve {
		b.continuation = ContinuationApproved
	}
	b.continuationReason = reason
	b.touch(now)
	return nil
}
