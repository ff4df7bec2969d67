package workflow

import (
	"context"
	"strconv"

	"github.com/google/uuid"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/convert"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// Store is what the activities need of storage.
type Store interface {
	Save(ctx context.Context, b domain.Booking, ev events.Event) error
}

// Activities are the booking workflow's side effects, with their dependencies.
type Activities struct {
	Store Store
}

// RecordInput is a booking to save and the event announcing its change.
type RecordInput struct {
	Booking   domain.Booking
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
	pb := convert.ToProto(b)
	pb.MentorNotes = "" // private to the mentor: never in an event
	payload := &bookingv1.BookingEvent{
		Booking:   pb,
		ActorRole: convert.RoleToProto(in.Actor.Role),
		ActorId:   in.Actor.ID,
		Text:      in.Text,
	}
	ev, err := events.New(EventID(b.ID, b.Version), in.EventType, "booking", b.UpdatedAt, payload)
	if err != nil {
		return err
	}
	return a.Store.Save(ctx, b, ev)
}
