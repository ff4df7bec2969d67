// Package workflow is the BookingWorkflow, one per booking, the single writer
// of the booking's status, and the activities it runs.
package workflow

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// TaskQueue is where booking workflows and their activities run.
const TaskQueue = "booking"

// Names of the workflow's updates and queries. Every update takes a Command
// and returns the booking as the actor may see it.
const (
	UpdateCreate       = "create"
	UpdateApprove      = "approve"
	UpdateReject       = "reject"
	UpdatePropose      = "propose"
	UpdateAccept       = "accept"
	UpdateDecline      = "decline"
	UpdateCancel       = "cancel"
	UpdateMarkPaid     = "markPaid"
	UpdateMarkRefunded = "markRefunded"
	UpdateComplete     = "complete"
	UpdateMarkNoShow   = "markNoShow"
	UpdateRefund       = "refund"
	UpdateContinuation = "decideContinuation"
	UpdateNotes        = "notes"
	UpdateMessage      = "message"
	// QueryBooking returns the booking as the workflow holds it.
	QueryBooking = "booking"
)

// WorkflowID is the id of a booking's workflow.
func WorkflowID(bookingID string) string { return "booking-" + bookingID }

// Search attributes an operator filters bookings by in the Temporal UI. The
// dev server registers them at start (see deploy/stack).
var (
	StatusKey       = temporal.NewSearchAttributeKeyKeyword("BookingStatus")
	MentorKey       = temporal.NewSearchAttributeKeyKeyword("MentorId")
	MenteeKey       = temporal.NewSearchAttributeKeyKeyword("MenteeId")
	SessionStartKey = temporal.NewSearchAttributeKeyTime("SessionStart")
)

// SearchAttributes returns b's search attributes.
func SearchAttributes(b domain.Booking) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{
		StatusKey.ValueSet(string(b.Status)),
		MentorKey.ValueSet(b.MentorID),
		MenteeKey.ValueSet(b.MenteeID),
	}
	if start := b.Start; !start.IsZero() {
		updates = append(updates, SessionStartKey.ValueSet(start))
	} else if len(b.PreferredStarts) > 0 {
		updates = append(updates, SessionStartKey.ValueSet(b.PreferredStarts[0]))
	}
	return temporal.NewSearchAttributes(updates...)
}

// RegisteredSearchAttributes lists the attributes with placeholder values, in
// the form a dev server takes to register them.
func RegisteredSearchAttributes() temporal.SearchAttributes {
	return SearchAttributes(domain.Booking{Start: time.Unix(0, 0)})
}

// Input starts a booking's workflow.
type Input struct {
	// Booking is the request, validated, not yet held or paid.
	Booking domain.Booking
	// Fingerprint identifies the request, to tell a retry from a reuse of
	// its request_id.
	Fingerprint string
	// CardToken authorizes a card payment; it goes to payments only.
	CardToken string
}

// Command is the argument of every update: who asks, and what they give.
type Command struct {
	Actor domain.Actor
	// Start: the time picked on approval, or proposed.
	Start time.Time
	// Reason: of a rejection, cancellation or continuation refusal.
	Reason string
	// Note: with a proposal or a refund.
	Note string
	// Amount: of a refund, in minor units; 0 is all that is left.
	Amount int64
	// Approve: the continuation decision.
	Approve bool
	// Text: private notes, or a message's body.
	Text string
	// Fingerprint: of a create.
	Fingerprint string
}

// Register puts the workflow and the activities on a worker.
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflow(BookingWorkflow)
	r.RegisterActivity(a)
}
