// Package workflow is the BookingWorkflow, one per booking, the single writer
// of the booking's status, the activities it runs, and the client the use
// cases reach it with. One file per command (approve.go, reject.go, …).
package workflow

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// TaskQueue is where booking workflows and their activities run.
const TaskQueue = "booking"

// Names of the workflow's updates and queries. Every update takes a Command
// and returns the booking's State as the actor may see it.
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
	// UpdatePayment carries what the card processor reported (Command.Payment).
	UpdatePayment = "payment"
	// QueryBooking returns the booking's State as the workflow holds it.
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
func SearchAttributes(b *domain.Booking) temporal.SearchAttributes {
	updates := []temporal.SearchAttributeUpdate{
		StatusKey.ValueSet(string(b.Status())),
		MentorKey.ValueSet(b.MentorID()),
		MenteeKey.ValueSet(b.MenteeID()),
	}
	if start := b.SortTime(); !start.IsZero() {
		updates = append(updates, SessionStartKey.ValueSet(start))
	}
	if d := b.NextDeadline(); !d.IsZero() {
		updates = append(updates, NextDeadlineKey.ValueSet(d))
	}
	if ps := b.PaymentStatus(); ps != "" {
		updates = append(updates, PaymentStatusKey.ValueSet(string(ps)))
	}
	return temporal.NewSearchAttributes(updates...)
}

// RegisteredSearchAttributes lists the attributes with placeholder values, in
// the form a dev server takes to register them.
func RegisteredSearchAttributes() temporal.SearchAttributes {
	return temporal.NewSearchAttributes(StatusKey.ValueSet(""), MentorKey.ValueSet(""), MenteeKey.ValueSet(""),
		SessionStartKey.ValueSet(time.Unix(0, 0)), NextDeadlineKey.ValueSet(time.Unix(0, 0)), PaymentStatusKey.ValueSet(""))
}

// SearchAttributeKeys are the attributes the workflow sets, which the
// bootstrap registers.
func SearchAttributeKeys() []temporal.SearchAttributeKey {
	return []temporal.SearchAttributeKey{StatusKey, MentorKey, MenteeKey, SessionStartKey, NextDeadlineKey, PaymentStatusKey}
}

// Register puts the workflow and the activities on a worker.
func Register(r worker.Registry, a *Activities) {
	r.RegisterWorkflow(BookingWorkflow)
	r.RegisterActivity(a)
}

// WorkerOptions are the booking worker's settings (docs/benchmarks.md says
// what each is worth).
func WorkerOptions() worker.Options {
	return worker.Options{}
}

// stickyCacheSize is how many bookings' workflows a worker keeps in memory
// between their tasks (the SDK's default is 10,000). A cached booking costs
// about 40 KB; one that is not cached replays its history (11 to 40 events)
// at its next task, which a pending booking has days later. At 4,096 a
// worker holding 100,000 pending bookings stays well under 512 MiB
// (docs/benchmarks.md).
const stickyCacheSize = 4096

// NewWorker returns a worker on TaskQueue with the workflow and a's
// activities registered, not yet started. It sets the process's sticky
// cache size, shared by its workers.
func NewWorker(c client.Client, a *Activities) worker.Worker {
	worker.SetStickyWorkflowCacheSize(stickyCacheSize)
	w := worker.New(c, TaskQueue, WorkerOptions())
	Register(w, a)
	return w
}
