package wire

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Source is the source of every event scheduling publishes.
const Source = "scheduling"

// The event types (and NATS subjects) scheduling publishes.
const (
	EventHeld      = "reservation.held"
	EventConfirmed = "reservation.confirmed"
	EventMoved     = "reservation.moved"
	EventReleased  = "reservation.released"
)

// eventNamespace makes event ids: the same fact always gets the same id.
var eventNamespace = uuid.MustParse("0b6f3f0e-4a57-4b8e-9a43-6c3c1f2d7a10")

// ReservationEvent is the event of typ for r, the reservation after the
// change; previousStart is the start before a move. Its id derives from the
// booking, the type and the reservation's version, so a retried change
// records the same event.
func ReservationEvent(typ string, r domain.Reservation, previousStart time.Time) (events.Event, error) {
	var msg proto.Message
	pr := Reservation(r)
	switch typ {
	case EventHeld:
		msg = &schedulingv1.ReservationHeld{Reservation: pr}
	case EventConfirmed:
		msg = &schedulingv1.ReservationConfirmed{Reservation: pr}
	case EventMoved:
		msg = &schedulingv1.ReservationMoved{Reservation: pr, PreviousStartTime: Timestamp(previousStart)}
	case EventReleased:
		msg = &schedulingv1.ReservationReleased{Reservation: pr}
	default:
		return events.Event{}, fmt.Errorf("unknown event type %q", typ)
	}
	id := uuid.NewSHA1(eventNamespace, fmt.Appendf(nil, "%s/%s/%d", r.BookingID, typ, r.Version))
	return events.New(id, typ, Source, r.UpdatedAt, msg)
}
