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

// Names of the workflow's updates and queries.
const (
	// UpdateCreate answers once the request is recorded, with the booking.
	UpdateCreate = "create"
	// UpdateApprove is the mentor's approval.
	UpdateApprove = "approve"
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
	return temporal.NewSearchAttributes(
		StatusKey.ValueSet(string(b.Status)),
		MentorKey.ValueSet(b.MentorID),
		MenteeKey.ValueSet(b.MenteeID),
		SessionStartKey.ValueSet(b.Start),
	)
}

// RegisteredSearchAttributes lists the attributes with placeholder values, in
// the form a dev server takes to register them.
func RegisteredSearchAttributes() temporal.SearchAttributes {
	return SearchAttributes(domain.Booking{Start: time.Unix(0, 0)})
}

// Input starts a booking's workflow.
type Input struct {
	Booking domain.Booking
}

// CreateArgs is the argument of UpdateCreate: the request, so that a retried
// create with the same request_id but a different request is refused.
type CreateArgs struct {
	Request domain.Request
}

// Register puts the workflow and the activities on a worker.
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflow(BookingWorkflow)
	r.RegisterActivity(a)
}
