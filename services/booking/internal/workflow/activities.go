package workflow

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// Store is what the activities need of storage.
type Store interface {
	// Save writes the booking and, when ev is not nil, its event, in one
	// transaction; an older version never overwrites a newer one.
	Save(ctx context.Context, b *domain.Booking, ev *events.Event) error
}

// Scheduling is what the workflow needs of the scheduling context. Every call
// is idempotent by booking id.
type Scheduling interface {
	// Hold reserves the booking's time and says what the offering is, in one
	// call.
	Hold(ctx context.Context, in HoldInput) (Offering, error)
	// Offering says what an offering is, without holding anything.
	Offering(ctx context.Context, mentorID, offeringID string) (Offering, error)
	// Confirm turns the hold into a booked session and returns its meeting
	// link and calendar links.
	Confirm(ctx context.Context, in ConfirmInput) (Confirmation, error)
	// Move moves the hold to another start, atomically: if the new time is
	// taken the old one is kept.
	Move(ctx context.Context, bookingID string, start time.Time) error
	// Release frees the booking's time.
	Release(ctx context.Context, bookingID string) error
}

// Payments is what the workflow needs of the payments context. Every call is
// idempotent by booking id, operation and booking version (PaymentInput), so
// a retried activity moves money once.
type Payments interface {
	// Authorize holds a card payment, records a manual one as unpaid, or
	// checks a bundle credit; a free booking needs none.
	Authorize(ctx context.Context, in PaymentInput, cardToken string) (PaymentResult, error)
	// Capture takes the held card payment.
	Capture(ctx context.Context, in PaymentInput) (PaymentResult, error)
	// Void gives everything back: releases a hold, refunds a capture.
	Void(ctx context.Context, in PaymentInput) (PaymentResult, error)
	// Settle applies a cancellation's settlement.
	Settle(ctx context.Context, in PaymentInput, s domain.Settlement, by domain.Role) (PaymentResult, error)
	// Refund returns amount (0: all that is left) to the mentee's card.
	Refund(ctx context.Context, in PaymentInput, amount int64, note string) (PaymentResult, error)
	// MarkPaid records that the mentor received a manual payment.
	MarkPaid(ctx context.Context, in PaymentInput) (PaymentResult, error)
	// MarkRefunded records that the mentor returned a manual payment.
	MarkRefunded(ctx context.Context, in PaymentInput) (PaymentResult, error)
	// ReleasePayout makes the mentor's payout due (completed or no-show).
	ReleasePayout(ctx context.Context, in PaymentInput) error
}

// Activities are the booking workflow's side effects, with their dependencies.
type Activities struct {
	Store      Store
	Scheduling Scheduling
	Payments   Payments
}

// The activities' inputs and results are wire types like State: an activity
// scheduled by one worker may run on another version. Their field names are
// those of the booking JSON that older workers passed to every activity, so
// an activity scheduled before the upgrade still decodes.

// HoldInput is what holding a time needs.
type HoldInput struct {
	ID         string    `json:"ID"`
	MentorID   string    `json:"MentorID"`
	MenteeID   string    `json:"MenteeID"`
	OfferingID string    `json:"OfferingID"`
	Start      time.Time `json:"Start"`
	PartySize  int       `json:"PartySize"`
	MenteeTZ   string    `json:"MenteeTZ"`
}

// Offering is what scheduling says of the offering booked.
type Offering struct {
	Kind     string        `json:"Kind"`
	Name     string        `json:"Name"`
	Duration time.Duration `json:"Duration"`
	// Price is per seat.
	Price    Money  `json:"Price"`
	MentorTZ string `json:"MentorTZ"`
}

// ConfirmInput is what confirming a held time needs.
type ConfirmInput struct {
	ID           string `json:"ID"`
	OfferingName string `json:"OfferingName"`
}

// Confirmation is a confirmed session's links.
type Confirmation struct {
	MeetingURL string        `json:"MeetingURL"`
	Calendar   CalendarLinks `json:"Calendar"`
}

// PaymentInput is what every call to payments needs: the booking's money as
// it stands, and its version, which keys the call's idempotency.
type PaymentInput struct {
	ID            string    `json:"ID"`
	MentorID      string    `json:"MentorID"`
	MenteeID      string    `json:"MenteeID"`
	Start         time.Time `json:"Start"`
	PaymentMethod string    `json:"PaymentMethod"`
	PaymentStatus string    `json:"PaymentStatus"`
	Price         Money     `json:"Price"`
	Refunded      Money     `json:"Refunded"`
	BundleID      string    `json:"BundleID"`
	Version       int64     `json:"Version"`
	// The booking's policy that payments applies: its commission and
	// free-cancellation notice (absent in inputs of older workers: payments
	// then applies its own).
	CommissionBps    *int          `json:"CommissionBps,omitempty"`
	FreeCancelBefore time.Duration `json:"FreeCancelBefore,omitempty"`
}

// PaymentResult is where a booking's money stands after an operation.
type PaymentResult struct {
	Status   string `json:"Status"`
	Refunded int64  `json:"Refunded"`
	// HoldLapses is when a card hold lapses at the processor (zero:
	// unknown, or no hold; results recorded before it existed).
	HoldLapses time.Time `json:"HoldLapses,omitempty"`
	// Action is what the mentee needs to authenticate the card, when the
	// payment is AWAITING_AUTHENTICATION.
	Action *PaymentAction `json:"Action,omitempty"`
}

// RecordInput is a booking to save and the event announcing its change.
type RecordInput struct {
	Booking State `json:"Booking"`
	// Event is the change's type in the booking event catalog;
	// UNSPECIFIED for a change that announces nothing (private notes).
	Event bookingv1.EventType `json:"Event"`
	Actor Actor               `json:"Actor"`
	// Text goes with the event (a message's body).
	Text string `json:"Text"`
	// AutoApproved marks an approval made by auto-approval within the
	// request.
	AutoApproved bool `json:"AutoApproved,omitempty"`
}

func toHoldInput(b *domain.Booking, s domain.Session) HoldInput {
	x := b.Snapshot()
	return HoldInput{ID: x.ID, MentorID: x.MentorID, MenteeID: x.MenteeID, OfferingID: x.OfferingID,
		Start: s.Start, PartySize: x.PartySize, MenteeTZ: x.MenteeTZ}
}

func toConfirmInput(b *domain.Booking) ConfirmInput {
	x := b.Snapshot()
	return ConfirmInput{ID: x.ID, OfferingName: x.OfferingName}
}

func toPaymentInput(b *domain.Booking) PaymentInput {
	x := b.Snapshot()
	return PaymentInput{ID: x.ID, MentorID: x.MentorID, MenteeID: x.MenteeID, Start: x.Start,
		PaymentMethod: string(x.PaymentMethod), PaymentStatus: string(x.PaymentStatus), Price: Money(x.Price),
		Refunded: Money(x.Refunded), BundleID: x.BundleID, Version: x.Version,
		CommissionBps: &x.Policy.CommissionBps, FreeCancelBefore: x.Policy.FreeCancelBefore}
}

func fromOffering(o Offering) domain.Offering {
	return domain.Offering{Kind: domain.OfferingKind(o.Kind), Name: o.Name, Duration: o.Duration,
		Price: domain.Money(o.Price), MentorTZ: o.MentorTZ}
}

func fromPaymentResult(r PaymentResult) domain.Payment {
	return domain.Payment{Status: domain.PaymentStatus(r.Status), Refunded: r.Refunded}
}

func fromConfirmation(c Confirmation, payment domain.PaymentStatus) domain.Approved {
	return domain.Approved{Payment: payment, MeetingURL: c.MeetingURL, Calendar: domain.CalendarLinks(c.Calendar)}
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
	b := fromState(in.Booking)
	if in.Event == bookingv1.EventType_EVENT_TYPE_UNSPECIFIED {
		return a.Store.Save(ctx, b, nil)
	}
	pb := protoconv.BookingToProto(b)
	pb.MentorNotes = "" // private to the mentor: never in an event
	if pb.PaymentAction != nil {
		pb.PaymentAction.ClientSecret = "" // the mentee's browser's only: never in an event
	}
	ev, err := events.Wrap(EventID(b.ID(), b.Version()), in.Event, in.Booking.UpdatedAt, &bookingv1.BookingEvent{
		Booking:      pb,
		ActorRole:    protoconv.RoleToProto(domain.Role(in.Actor.Role)),
		ActorId:      in.Actor.ID,
		Text:         in.Text,
		AutoApproved: in.AutoApproved,
	})
	if err != nil {
		return err
	}
	return a.Store.Save(ctx, b, &ev)
}

// HoldSlot reserves the booking's time and says what the offering is.
func (a *Activities) HoldSlot(ctx context.Context, in HoldInput) (Offering, error) {
	o, err := a.Scheduling.Hold(ctx, in)
	return o, toApplicationError(err)
}

// LookUpOffering says what the booking's offering is.
func (a *Activities) LookUpOffering(ctx context.Context, in HoldInput) (Offering, error) {
	o, err := a.Scheduling.Offering(ctx, in.MentorID, in.OfferingID)
	return o, toApplicationError(err)
}

// ConfirmSlot confirms the booking's time and creates its links.
func (a *Activities) ConfirmSlot(ctx context.Context, in ConfirmInput) (Confirmation, error) {
	c, err := a.Scheduling.Confirm(ctx, in)
	return c, toApplicationError(err)
}

// MoveSlot moves the booking's hold to start.
func (a *Activities) MoveSlot(ctx context.Context, in HoldInput, start time.Time) error {
	return toApplicationError(a.Scheduling.Move(ctx, in.ID, start))
}

// ReleaseSlot frees the booking's time.
func (a *Activities) ReleaseSlot(ctx context.Context, bookingID string) error {
	return toApplicationError(a.Scheduling.Release(ctx, bookingID))
}

// AuthorizePayment authorizes or records the booking's payment.
func (a *Activities) AuthorizePayment(ctx context.Context, in PaymentInput, cardToken string) (PaymentResult, error) {
	r, err := a.Payments.Authorize(ctx, in, cardToken)
	return r, toApplicationError(err)
}

// CapturePayment takes a held card payment.
func (a *Activities) CapturePayment(ctx context.Context, in PaymentInput) (PaymentResult, error) {
	r, err := a.Payments.Capture(ctx, in)
	return r, toApplicationError(err)
}

// VoidPayment gives the mentee everything back.
func (a *Activities) VoidPayment(ctx context.Context, in PaymentInput) (PaymentResult, error) {
	r, err := a.Payments.Void(ctx, in)
	return r, toApplicationError(err)
}

// SettleCancellation applies a cancellation's settlement.
func (a *Activities) SettleCancellation(ctx context.Context, in PaymentInput, s domain.Settlement, by domain.Role) (PaymentResult, error) {
	r, err := a.Payments.Settle(ctx, in, s, by)
	return r, toApplicationError(err)
}

// RefundPayment refunds amount to the mentee's card.
func (a *Activities) RefundPayment(ctx context.Context, in PaymentInput, amount int64, note string) (PaymentResult, error) {
	r, err := a.Payments.Refund(ctx, in, amount, note)
	return r, toApplicationError(err)
}

// MarkPaymentPaid records a manual payment. The second argument (the mentor's
// id) is kept for activities scheduled by older workers; payments acts for
// the booking's mentor.
func (a *Activities) MarkPaymentPaid(ctx context.Context, in PaymentInput, _ string) (PaymentResult, error) {
	r, err := a.Payments.MarkPaid(ctx, in)
	return r, toApplicationError(err)
}

// MarkPaymentRefunded records a manual refund (see MarkPaymentPaid).
func (a *Activities) MarkPaymentRefunded(ctx context.Context, in PaymentInput, _ string) (PaymentResult, error) {
	r, err := a.Payments.MarkRefunded(ctx, in)
	return r, toApplicationError(err)
}

// ReleasePayout makes the mentor's payout due.
func (a *Activities) ReleasePayout(ctx context.Context, in PaymentInput) error {
	return toApplicationError(a.Payments.ReleasePayout(ctx, in))
}
