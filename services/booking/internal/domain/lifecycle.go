package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// side is which party of the booking an actor is; admin and system act for
// either.
func (b Booking) side(a Actor) (Role, error) {
	switch {
	case a.Role == RoleAdmin || a.Role == RoleSystem:
		return a.Role, nil
	case a.Role == RoleMentor && a.ID == b.MentorID:
		return RoleMentor, nil
	case a.Role == RoleMentee && a.ID == b.MenteeID:
		return RoleMentee, nil
	}
	return "", ErrNotYourBooking
}

// mentorSide allows the booking's mentor and admin.
func (b Booking) mentorSide(a Actor) error {
	r, err := b.side(a)
	if err != nil {
		return err
	}
	if r == RoleMentee {
		return apperr.Wrap(ErrNotAllowedForRole, "only the mentor may do this")
	}
	return nil
}

func wrongState(b Booking, what string) error {
	return apperr.Wrap(ErrWrongState, "%s; this booking is %s", what, b.Status)
}

func required(field, val string, maxLen int) error {
	var v apperr.Violations
	switch {
	case strings.TrimSpace(val) == "":
		v.Add(field, "is required")
	case len(val) > maxLen:
		v.Add(field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return v.Err()
}

// ---- approve

// CheckApprove checks the mentor's approval, at start when the request gave
// preferred times.
func (b Booking) CheckApprove(a Actor, start time.Time) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.Status != StatusPending {
		return wrongState(b, "only a pending booking can be approved")
	}
	if len(b.PreferredStarts) > 0 {
		if start.IsZero() {
			var v apperr.Violations
			v.Add("start_time", "pick one of the mentee's preferred times")
			return v.Err()
		}
		if !slices.ContainsFunc(b.PreferredStarts, start.Equal) {
			var v apperr.Violations
			v.Add("start_time", "is not one of the mentee's preferred times")
			return v.Err()
		}
	} else if !start.IsZero() && !start.Equal(b.Start) {
		var v apperr.Violations
		v.Add("start_time", "this request has one time; propose another time instead")
		return v.Err()
	}
	return nil
}

// PickStart fixes the session's time to one of the preferred times.
func (b *Booking) PickStart(start time.Time) {
	if len(b.PreferredStarts) > 0 {
		b.Start = start.UTC()
		b.End = b.Start.Add(b.Duration)
	}
}

// Approve records the approval. A manual payment not yet received leaves the
// booking AWAITING_PAYMENT; anything else confirms it.
func (b *Booking) Approve(payment PaymentStatus, meetingURL string, links CalendarLinks, now time.Time) {
	b.PaymentStatus = payment
	b.MeetingURL, b.Calendar = meetingURL, links
	b.responded(now)
	b.Proposal = nil
	b.armSessionReminder(now)
	if b.PaymentMethod.Manual() && payment == PaymentStatusUnpaid {
		b.transition(StatusAwaitingPayment, now)
		return
	}
	b.transition(StatusConfirmed, now)
}

// responded notes the mentor's first answer, for response-time figures.
func (b *Booking) responded(now time.Time) {
	if b.FirstResponseAt.IsZero() {
		b.FirstResponseAt = now.UTC()
	}
}

// ---- reject

// CheckReject checks a rejection: the mentor must give a reason.
func (b Booking) CheckReject(a Actor, reason string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.Status.Open() {
		return wrongState(b, "only a pending request can be rejected")
	}
	return required("reason", reason, MaxReasonLength)
}

// Reject ends the request.
func (b *Booking) Reject(a Actor, reason string, payment PaymentStatus, money string, now time.Time) {
	b.responded(now)
	b.end(StatusRejected, a, reason, payment, money, false, now)
}

func (b *Booking) end(s Status, a Actor, reason string, payment PaymentStatus, money string, late bool, now time.Time) {
	b.PaymentStatus = payment
	b.Proposal = nil
	b.Outcome = &Outcome{EndedBy: a.Role, Reason: reason, At: now.UTC(), Money: money, Late: late}
	b.transition(s, now)
}

// ---- negotiate

// CheckPropose checks a proposal of another start time: on a request (either
// side; a counter-proposal by the side that has to answer) or to reschedule an
// upcoming session.
func (b Booking) CheckPropose(a Actor, start time.Time, now time.Time) error {
	side, err := b.side(a)
	if err != nil {
		return err
	}
	if side == RoleSystem {
		return ErrNotAllowedForRole
	}
	if !b.Status.Open() && !b.Status.Upcoming() {
		return wrongState(b, "another time can be proposed only for a request or an upcoming session")
	}
	if b.Status.Upcoming() && !b.Start.After(now) {
		return wrongState(b, "the session has started")
	}
	if b.Proposal != nil && side != RoleAdmin && b.Proposal.By == side {
		return apperr.Wrap(ErrNotYourTurn, "you proposed %s; the other side has to answer it", b.Proposal.Start.Format(time.RFC3339))
	}
	var v apperr.Violations
	switch {
	case start.IsZero():
		v.Add("start_time", "is required")
	case !start.After(now):
		v.Add("start_time", "must be in the future")
	case start.Equal(b.Start) && len(b.PreferredStarts) == 0:
		v.Add("start_time", "is the time already booked")
	}
	return v.Err()
}

// Propose records a proposal; a request moves to NEGOTIATING.
func (b *Booking) Propose(a Actor, start time.Time, note string, now time.Time) {
	by := a.Role
	if by == RoleAdmin {
		by = RoleMentor // an operator proposes on the mentor's behalf
	}
	b.Proposal = &Proposal{Start: start.UTC(), By: by, Note: note, At: now.UTC()}
	if by == RoleMentor {
		b.responded(now)
	}
	if b.Status.Open() {
		b.transition(StatusNegotiating, now)
		return
	}
	b.touch(now)
}

// CheckAnswer checks an answer (accept or decline) to the open proposal: only
// the side that did not propose may give it.
func (b Booking) CheckAnswer(a Actor) error {
	side, err := b.side(a)
	if err != nil {
		return err
	}
	if b.Proposal == nil {
		return wrongState(b, "there is no proposal to answer")
	}
	if side == RoleSystem || (side != RoleAdmin && side == b.Proposal.By) {
		return apperr.Wrap(ErrNotYourTurn, "you proposed this time; the other side has to answer it")
	}
	return nil
}

// AcceptProposal moves the session to the proposed time. A request becomes
// approved at that time (see Approve); an upcoming session is rescheduled.
func (b *Booking) AcceptProposal(payment PaymentStatus, meetingURL string, links CalendarLinks, now time.Time) {
	p := b.Proposal
	b.Start = p.Start
	b.End = p.Start.Add(b.Duration)
	b.PreferredStarts = nil
	if b.Status.Open() {
		b.Approve(payment, meetingURL, links, now)
		return
	}
	b.MeetingURL, b.Calendar = meetingURL, links
	b.Proposal = nil
	b.armSessionReminder(now)
	b.touch(now)
}

// armSessionReminder plans the reminder before the session; a session
// approved (or moved) already inside the window needs none.
func (b *Booking) armSessionReminder(now time.Time) {
	b.SessionRemindedAt = time.Time{}
	if b.Policy.SessionReminderBefore > 0 && !now.Before(b.Start.Add(-b.Policy.SessionReminderBefore)) {
		b.SessionRemindedAt = now.UTC()
	}
}

// SessionReminderDue reports whether both sides should now be reminded of
// the upcoming session.
func (b Booking) SessionReminderDue(now time.Time) bool {
	return b.Status.Upcoming() && b.Policy.SessionReminderBefore > 0 && b.SessionRemindedAt.IsZero() &&
		!now.Before(b.Start.Add(-b.Policy.SessionReminderBefore))
}

// RemindOfSession notes that both sides were reminded.
func (b *Booking) RemindOfSession(now time.Time) {
	b.SessionRemindedAt = now.UTC()
	b.touch(now)
}

// DeclineEnds reports whether declining the proposal ends the booking (a
// request) rather than keeping the session at its time (a reschedule).
func (b Booking) DeclineEnds() bool { return b.Status.Open() }

// DeclineProposal declines the open proposal. On a request it ends the
// booking: a mentor declining is a rejection, a mentee declining a
// cancellation. On an upcoming session the booking keeps its time.
func (b *Booking) DeclineProposal(a Actor, payment PaymentStatus, money string, now time.Time) {
	if !b.DeclineEnds() {
		b.Proposal = nil
		b.touch(now)
		return
	}
	reason := "declined the proposed time"
	if a.Role == RoleMentee {
		b.end(StatusCancelled, a, reason, payment, money, false, now)
		return
	}
	b.responded(now)
	b.end(StatusRejected, a, reason, payment, money, false, now)
}

// ---- cancel

// Settlement is what a cancellation does with the money.
type Settlement string

// The settlements.
const (
	// SettleFullRefund gives the mentee everything back (or releases the hold).
	SettleFullRefund Settlement = "FULL_REFUND"
	// SettleMentorPaid pays the mentor the fee minus commission.
	SettleMentorPaid Settlement = "MENTOR_PAID"
)

// CheckCancel checks a cancellation and says how it settles and whether it is
// late (inside the mentee's window for a mentee, inside the late-reschedule
// window for a mentor).
func (b Booking) CheckCancel(a Actor, reason string, now time.Time) (Settlement, bool, error) {
	side, err := b.side(a)
	if err != nil {
		return "", false, err
	}
	if len(reason) > MaxReasonLength {
		var v apperr.Violations
		v.Add("reason", fmt.Sprintf("must be at most %d characters", MaxReasonLength))
		return "", false, v.Err()
	}
	if !b.Status.Open() && !b.Status.Upcoming() {
		return "", false, wrongState(b, "only a request or an upcoming session can be cancelled")
	}
	if b.Status.Upcoming() && !b.Start.After(now) {
		return "", false, wrongState(b, "the session has started; mark it completed or no-show instead")
	}
	switch side {
	case RoleMentee:
		if b.Status.Open() || now.Before(b.FreeUntil()) {
			return SettleFullRefund, false, nil
		}
		if b.Policy.LateMenteeCancel == LateRefused {
			return "", true, apperr.Wrap(ErrCancellationRefused,
				"cancellations must be made at least %s before the session", human(b.Policy.FreeCancelBefore))
		}
		return SettleMentorPaid, true, nil
	case RoleMentor:
		if b.Status.Open() {
			return "", false, wrongState(b, "reject the request instead, with a reason")
		}
		if !b.Policy.MentorMayCancel {
			return "", false, ErrMentorCancelForbidden
		}
		return SettleFullRefund, b.Start.Sub(now) < b.Policy.LateMentorWindow, nil
	}
	return SettleFullRefund, false, nil // admin
}

// Cancel ends the booking.
func (b *Booking) Cancel(a Actor, reason string, late bool, payment PaymentStatus, money string, now time.Time) {
	b.end(StatusCancelled, a, reason, payment, money, late, now)
}

// ---- timers

// CheckExpire reports whether an unanswered request has expired at now.
func (b Booking) CheckExpire(now time.Time) bool {
	return b.Status.Open() && !now.Before(b.ExpiresAt)
}

// Expire ends an unanswered request.
func (b *Booking) Expire(payment PaymentStatus, money string, now time.Time) {
	b.end(StatusExpired, System, "nobody answered in time", payment, money, false, now)
}

// ReminderDue reports whether the mentor should be reminded of the request.
func (b Booking) ReminderDue(now time.Time) bool {
	return b.Status == StatusPending && b.RemindedAt.IsZero() && !now.Before(b.CreatedAt.Add(b.Policy.ReminderAfter))
}

// Remind notes that the mentor was reminded.
func (b *Booking) Remind(now time.Time) {
	b.RemindedAt = now.UTC()
	b.touch(now)
}

// SessionEnded reports whether an upcoming session's time has passed.
func (b Booking) SessionEnded(now time.Time) bool {
	return b.Status.Upcoming() && !now.Before(b.End)
}

// EndSession moves the booking to PENDING_CONFIRMATION.
func (b *Booking) EndSession(now time.Time) {
	b.Proposal = nil
	b.transition(StatusPendingConfirmation, now)
}

// AutoCompleteDue reports whether an unmarked session counts as completed.
func (b Booking) AutoCompleteDue(now time.Time) bool {
	return b.Status == StatusPendingConfirmation && !now.Before(b.Start.Add(b.Policy.AutoCompleteAfter))
}

// NextDeadline is when a timer of the workflow must next look at the booking:
// the reminder, the expiry, the session end, the auto-completion, or for an
// ended booking the end of its after-care.
func (b Booking) NextDeadline() time.Time {
	switch {
	case b.Status == StatusPending && b.RemindedAt.IsZero():
		return earliest(b.CreatedAt.Add(b.Policy.ReminderAfter), b.ExpiresAt)
	case b.Status.Open():
		return b.ExpiresAt
	case b.Status.Upcoming() && b.Policy.SessionReminderBefore > 0 && b.SessionRemindedAt.IsZero():
		return earliest(b.Start.Add(-b.Policy.SessionReminderBefore), b.End)
	case b.Status.Upcoming():
		return b.End
	case b.Status == StatusPendingConfirmation:
		return b.Start.Add(b.Policy.AutoCompleteAfter)
	case b.Status.Final():
		return b.UpdatedAt.Add(b.Policy.AfterCare)
	}
	return time.Time{}
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// ---- after the session

// CheckAttendance checks marking the session completed or no-show: the mentor
// does it once the session has started, one action for the whole group.
func (b Booking) CheckAttendance(a Actor, now time.Time) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	switch {
	case b.Status == StatusPendingConfirmation:
		return nil
	case b.Status.Upcoming() && !now.Before(b.Start):
		return nil
	case b.Status.Upcoming():
		return apperr.Wrap(ErrSessionNotOver, "the session starts at %s", b.Start.Format(time.RFC3339))
	}
	return wrongState(b, "only a session that has taken place can be marked completed or no-show")
}

// Complete marks the session as attended.
func (b *Booking) Complete(a Actor, now time.Time) {
	b.Proposal = nil
	b.Outcome = &Outcome{EndedBy: a.Role, At: now.UTC(), Money: "The payment goes to the mentor."}
	b.transition(StatusCompleted, now)
}

// NoShow marks that the mentee did not attend: the payment stands.
func (b *Booking) NoShow(a Actor, now time.Time) {
	b.Proposal = nil
	b.Outcome = &Outcome{EndedBy: a.Role, At: now.UTC(),
		Money: "The payment stands; no automatic refund. The mentor may refund as a goodwill gesture."}
	b.transition(StatusNoShow, now)
}

// CheckMarkPaid checks the mentor's confirmation that a manual payment arrived.
func (b Booking) CheckMarkPaid(a Actor) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.PaymentMethod.Manual() {
		return ErrNotManual
	}
	if b.PaymentStatus != PaymentStatusUnpaid {
		return wrongState(b, "the payment is already "+string(b.PaymentStatus))
	}
	switch b.Status {
	case StatusAwaitingPayment, StatusConfirmed, StatusPendingConfirmation, StatusCompleted, StatusNoShow:
		return nil
	}
	return wrongState(b, "only an approved booking can be marked paid")
}

// MarkPaid records the payment; an approved booking awaiting it is confirmed.
func (b *Booking) MarkPaid(now time.Time) {
	b.PaymentStatus = PaymentStatusPaid
	if b.Status == StatusAwaitingPayment {
		b.transition(StatusConfirmed, now)
		return
	}
	b.touch(now)
}

// CheckMarkRefunded checks the mentor's statement that a manual payment went
// back off the platform.
func (b Booking) CheckMarkRefunded(a Actor) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if !b.PaymentMethod.Manual() {
		return ErrNotManual
	}
	if b.PaymentStatus != PaymentStatusPaid && b.PaymentStatus != PaymentStatusPartiallyRefunded {
		return ErrNothingToRefund
	}
	return nil
}

// MarkRefunded records that the money went back.
func (b *Booking) MarkRefunded(now time.Time) {
	b.PaymentStatus = PaymentStatusRefunded
	b.Refunded.Amount = b.Price.Amount
	b.touch(now)
}

// CheckRefund checks a refund through the card provider: amount 0 means all
// that is left.
func (b Booking) CheckRefund(a Actor, amount int64) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.PaymentMethod.Manual() {
		return apperr.Wrap(ErrNotManual, "refund a %s payment off the platform, then mark it refunded", strings.ToLower(string(b.PaymentMethod)))
	}
	if b.PaymentMethod != PaymentCard || (b.PaymentStatus != PaymentStatusPaid && b.PaymentStatus != PaymentStatusPartiallyRefunded) {
		return ErrNothingToRefund
	}
	left := b.Price.Amount - b.Refunded.Amount
	var v apperr.Violations
	switch {
	case amount < 0:
		v.Add("amount", "must not be negative")
	case amount > left:
		v.Add("amount", fmt.Sprintf("at most %d can still be refunded", left))
	}
	return v.Err()
}

// Refund records money that went back to the mentee.
func (b *Booking) Refund(refundedTotal int64, payment PaymentStatus, now time.Time) {
	b.Refunded.Amount = refundedTotal
	b.PaymentStatus = payment
	b.touch(now)
}

// CheckContinuation checks the mentor's decision after an intro session.
func (b Booking) CheckContinuation(a Actor, approve bool, reason string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if b.OfferingKind != OfferingIntro {
		return ErrNotIntro
	}
	if b.Status != StatusCompleted {
		return wrongState(b, "decide on continuation once the intro session is completed")
	}
	if b.Continuation != "" {
		return wrongState(b, "continuation was already decided")
	}
	if !approve {
		return required("reason", reason, MaxReasonLength)
	}
	return nil
}

// DecideContinuation records the decision.
func (b *Booking) DecideContinuation(approve bool, reason string, now time.Time) {
	b.Continuation = ContinuationRejected
	if approve {
		b.Continuation = ContinuationApproved
	}
	b.ContinuationReason = reason
	b.touch(now)
}

// CheckNotes checks the mentor's private notes.
func (b Booking) CheckNotes(a Actor, notes string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	if len(notes) > MaxNoteLength {
		var v apperr.Violations
		v.Add("notes", fmt.Sprintf("must be at most %d characters", MaxNoteLength))
		return v.Err()
	}
	return nil
}

// SetNotes replaces the mentor's private notes.
func (b *Booking) SetNotes(notes string, now time.Time) {
	b.MentorNotes = notes
	b.touch(now)
}

// CheckMessage checks a one-way message from the mentor to the mentee.
func (b Booking) CheckMessage(a Actor, text string) error {
	if err := b.mentorSide(a); err != nil {
		return err
	}
	return required("text", text, MaxMessageLength)
}

// Messaged records that a message was sent (the message itself travels in the
// event).
func (b *Booking) Messaged(now time.Time) { b.touch(now) }

// VisibleTo returns b as actor may see it: the mentor's private notes are
// removed for everyone but the mentor and admin.
func (b Booking) VisibleTo(a Actor) Booking {
	if a.Role != RoleAdmin && !(a.Role == RoleMentor && a.ID == b.MentorID) {
		b.MentorNotes = ""
	}
	return b
}

// CheckRead reports whether actor may see b.
func (b Booking) CheckRead(a Actor) error {
	_, err := b.side(a)
	return err
}
