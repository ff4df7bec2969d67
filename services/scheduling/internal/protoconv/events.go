package protoconv

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// eventNamespace makes event ids: the same fact always gets the same id.
var eventNamespace = uuid.MustParse("0b6f3f0e-4a57-4b8e-9a43-6c3c1f2d7a10")

// ReservationEventToProto is the event of type t for r, the reservation
// after the change; previousStart is the start before a move. Its id derives
// from the booking, the subject and the reservation's version, so a retried
// change records the same event.
func ReservationEventToProto(t schedulingv1.EventType, r domain.Reservation, previousStart time.Time) (events.Event, error) {
	var msg proto.Message
	pr := ReservationToProto(r)
	switch t {
	case schedulingv1.EventType_EVENT_TYPE_RESERVATION_HELD:
		msg = &schedulingv1.ReservationHeld{Reservation: pr}
	case schedulingv1.EventType_EVENT_TYPE_RESERVATION_CONFIRMED:
		msg = &schedulingv1.ReservationConfirmed{Reservation: pr}
	case schedulingv1.EventType_EVENT_TYPE_RESERVATION_MOVED:
		msg = &schedulingv1.ReservationMoved{Reservation: pr, PreviousStartTime: TimeToProto(previousStart)}
	case schedulingv1.EventType_EVENT_TYPE_RESERVATION_RELEASED:
		msg = &schedulingv1.ReservationReleased{Reservation: pr}
	default:
		return events.Event{}, fmt.Errorf("%v is not a reservation event", t)
	}
	id := uuid.NewSHA1(eventNamespace, fmt.Appendf(nil, "%s/%s/%d", r.BookingID, events.Subject(t), r.Version))
	return events.Wrap(id, t, r.UpdatedAt, msg)
}

// IntroRulesFromProto reads the intro rules of a marketplace policy version
// (booking.marketplace_policy_changed).
func IntroRulesFromProto(p *bookingv1.MarketplacePolicy) (domain.IntroRules, error) {
	r := domain.IntroRules{
		Version: p.GetVersion(), Length: p.GetIntroLength().AsDuration(), MinNotice: p.GetIntroMinNotice().AsDuration(),
		Horizon: p.GetIntroHorizon().AsDuration(), MonthlyQuota: int(p.GetIntroMonthlyQuota()), OnePerMentor: p.GetIntroOnePerMentor(),
	}
	return r, r.Validate()
}
