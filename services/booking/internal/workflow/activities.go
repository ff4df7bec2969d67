package workflow

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/convert"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Store is what the activities need of storage.
type Store interface {
	// Save writes the booking and, when ev is not nil, its event, in one
	// transaction; an older version never overwrites a newer one.
	Save(ctx context.Context, b domain.Booking, ev *events.Event) error
}

// Scheduling is what the workflow needs of the scheduling context. Every call
// is idempotent by booking id.
type Scheduling interface {
	// Hold reserves the booking's time (pending bookings hold their slot) and
	// says what the offering is.
	Hold(ctx context.Context, b domain.Booking) (domain.Offering, error)
	// Offering says what an offering is, without holding anything.
	Offering(ctx context.Context, mentorID, offeringID string) (domain.Offering, error)
	// Confirm turns the hold into a booked session and returns its meeting
	// link and calendar links.
	Confirm(ctx context.Context, b domain.Booking) (Confirmation, error)
	// Move moves the hold to another start, atomically: if the new time is
	// taken the old one is kept.
	Move(ctx context.Context, b domain.Booking, start time.Time) error
	// Release frees the booking's time.
	Release(ctx context.Context, bookingID string) error
}

// Confirmation is a confirmed session's links.
type Confirmation struct {
	MeetingURL string
	Calendar   domain.CalendarLinks
}

// Payments is what the workflow needs of the payments context. Every call is
// idempotent by booking id (and the operation), so a retried activity moves
// money once.
type Payments interface {
	// Authorize holds a card payment, records a manual one as unpaid, or
	// takes a bundle credit; a free booking needs none.
	Authorize(ctx context.Context, b domain.Booking, cardToken string) (PaymentResult, error)
	// Capture takes the held card payment.
	Capture(ctx context.Context, b domain.Booking) (PaymentResult, error)
	// Void gives everything back: releases a hold, refunds a capture.
	Void(ctx context.Context, b domain.Booking) (PaymentResult, error)
	// Settle applies a cancellation's settlement.
	Settle(ctx context.Context, b domain.Booking, s domain.Settlement, by domain.Role) (PaymentResult, error)
	// Refund returns amount (0: all that is left) to the mentee's card.
	Refund(ctx context.Context, b domain.Booking, amount int64, note string) (PaymentResult, error)
	// MarkPaid records that the mentor received a manual payment.
	MarkPaid(ctx context.Context, b domain.Booking, mentorID string) (PaymentResult, error)
	// MarkRefunded records that the mentor returned a manual payment.
	MarkRefunded(ctx context.Context, b domain.Booking, mentorID string) (PaymentResult, error)
	// ReleasePayout makes the mentor's payout due (completed or no-show).
	ReleasePayout(ctx context.Context, b domain.Booking) error
}

// PaymentResult is where a booking's money stands after an operation.
type PaymentResult struct {
	Status   domain.PaymentStatus
	Refunded int64
}

// Activities are the booking workflow's side effects, with their dependencies.
type Activities struct {
	Store      Store
	Scheduling Scheduling
	Payments   Payments
}

// RecordInput is a booking to save and the event announcing its change.
type RecordInput struct {
	Booking domain.Booking
	// EventType is empty for a change that announces nothing (private notes).
	EventType string
	Actor     domain.Actor
	// Text goes with the event (a message's body).
	Text string
}

// eventNamespace makes event ids from (booking, version): the same change of
// the same booking always has the same id, however often it is recorded.
var eventNamespace = uuid.MustParse("9d1f5a6e-5b8f-4f43-9f0e-6a3c0c1e7b21")

// EventID is the id of the event announcing version v of booking id.
func EventID(bookingID string, version int64) uuid.UUID {
	return uuid.NewSHA1(eventNamespace, []byte(bookingID+"/"+strconv.FormatInt(version, 10)))
}

// Record saves the booking to the read model with its event, in one
// transaction. Running it twice saves and announces the change once.
func (a *Activities) Record(ctx context.Context, in RecordInput) error {
	b := in.Booking
	if in.EventType == "" {
		return a.Store.Save(ctx, b, nil)
	}
	pb := convert.ToProto(b)
	pb.MentorNotes = "" // private to the mentor: never in an event
	ev, err := events.New(EventID(b.ID, b.Version), in.EventType, "booking", b.UpdatedAt, &bookingv1.BookingEvent{
		Booking:   pb,
		ActorRole: convert.RoleToProto(in.Actor.Role),
		ActorId:   in.Actor.ID,
		Text:      in.Text,
	})
	if err != nil {
		return err
	}
	return a.Store.Save(ctx, b, &ev)
}

// HoldSlot reserves the booking's time.
func (a *Activities) HoldSlot(ctx context.Context, b domain.Booking) (domain.Offering, error) {
	o, err := a.Scheduling.Hold(ctx, b)
	return o, toApplicationError(err)
}

// LookUpOffering says what the booking's offering is.
func (a *Activities) LookUpOffering(ctx context.Context, b domain.Booking) (domain.Offering, error) {
	o, err := a.Scheduling.Offering(ctx, b.MentorID, b.OfferingID)
	return o, toApplicationError(err)
}

// ConfirmSlot confirms the booking's time and creates its links.
func (a *Activities) ConfirmSlot(ctx context.Context, b domain.Booking) (Confirmation, error) {
	c, err := a.Scheduling.Confirm(ctx, b)
	return c, toApplicationError(err)
}

// MoveSlot moves the booking's hold to start.
func (a *Activities) MoveSlot(ctx context.Context, b domain.Booking, start time.Time) error {
	return toApplicationError(a.Scheduling.Move(ctx, b, start))
}

// ReleaseSlot frees the booking's time.
func (a *Activities) ReleaseSlot(ctx context.Context, bookingID string) error {
	return toApplicationError(a.Scheduling.Release(ctx, bookingID))
}

// AuthorizePayment authorizes or records the booking's payment.
func (a *Activities) AuthorizePayment(ctx context.Context, b domain.Booking, cardToken string) (PaymentResult, error) {
	r, err := a.Payments.Authorize(ctx, b, cardToken)
	return r, toApplicationError(err)
}

// CapturePayment takes a held card payment.
func (a *Activities) CapturePayment(ctx context.Context, b domain.Booking) (PaymentResult, error) {
	r, err := a.Payments.Capture(ctx, b)
	return r, toApplicationError(err)
}

// VoidPayment gives the mentee everything back.
func (a *Activities) VoidPayment(ctx context.Context, b domain.Booking) (PaymentResult, error) {
	r, err := a.Payments.Void(ctx, b)
	return r, toApplicationError(err)
}

// SettleCancellation applies a cancellation's settlement.
func (a *Activities) SettleCancellation(ctx context.Context, b domain.Booking, s domain.Settlement, by domain.Role) (PaymentResult, error) {
	r, err := a.Payments.Settle(ctx, b, s, by)
	return r, toApplicationError(err)
}

// RefundPayment refunds amount to the mentee's card.
func (a *Activities) RefundPayment(ctx context.Context, b domain.Booking, amount int64, note string) (PaymentResult, error) {
	r, err := a.Payments.Refund(ctx, b, amount, note)
	return r, toApplicationError(err)
}

// MarkPaymentPaid records a manual payment.
func (a *Activities) MarkPaymentPaid(ctx context.Context, b domain.Booking, mentorID string) (PaymentResult, error) {
	r, err := a.Payments.MarkPaid(ctx, b, mentorID)
	return r, toApplicationError(err)
}

// MarkPaymentRefunded records a manual refund.
func (a *Activities) MarkPaymentRefunded(ctx context.Context, b domain.Booking, mentorID string) (PaymentResult, error) {
	r, err := a.Payments.MarkRefunded(ctx, b, mentorID)
	return r, toApplicationError(err)
}

// ReleasePayout makes the mentor's payout due.
func (a *Activities) ReleasePayout(ctx context.Context, b domain.Booking) error {
	return toApplicationError(a.Payments.ReleasePayout(ctx, b))
}
