package workflow

import (
	"context"
	"strconv"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

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

// RecordInput is a booking to save and the type of the event announcing it.
type RecordInput struct {
	Booking   domain.Booking
	EventType string
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
	var payload proto.Message
	switch in.EventType {
	case EventRequested:
		payload = &bookingv1.BookingRequested{Booking: convert.ToProto(b)}
	case EventApproved:
		payload = &bookingv1.BookingApproved{Booking: convert.ToProto(b)}
	default:
		payload = convert.ToProto(b)
	}
	ev, err := events.New(EventID(b.ID, b.Version), in.EventType, "booking", b.UpdatedAt, payload)
	if err != nil {
		return err
	}
	return a.Store.Save(ctx, b, ev)
}
