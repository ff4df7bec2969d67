package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/events"
)

// catalogs are the contexts' catalogs and the streams their events go to.
var catalogs = []struct {
	zero   protoreflect.Enum
	stream events.Stream
}{
	{bookingv1.EventType_EVENT_TYPE_UNSPECIFIED, events.BookingStream},
	{paymentsv1.EventType_EVENT_TYPE_UNSPECIFIED, events.PaymentsStream},
	{schedulingv1.EventType_EVENT_TYPE_UNSPECIFIED, events.SchedulingStream},
	{reputationv1.EventType_EVENT_TYPE_UNSPECIFIED, events.ReputationStream},
}

// matches reports whether a NATS subject pattern ("booking.>") takes subject.
func matches(pattern, subject string) bool {
	p, s := strings.Split(pattern, "."), strings.Split(subject, ".")
	for i, tok := range p {
		switch {
		case tok == ">":
			return len(s) > i
		case i >= len(s):
			return false
		case tok != "*" && tok != s[i]:
			return false
		}
	}
	return len(p) == len(s)
}

// Every event type has one subject, on its context's stream, and a payload
// message that exists; no two types share a subject.
func TestTheCatalogIsComplete(t *testing.T) {
	seen := map[string]string{}
	for _, c := range catalogs {
		vals := c.zero.Descriptor().Values()
		if events.Source(c.zero) == "" {
			t.Errorf("%s names no source", c.zero.Descriptor().FullName())
		}
		if events.Subject(c.zero) != "" {
			t.Errorf("%s: the zero value names an event", c.zero.Descriptor().FullName())
		}
		for i := 1; i < vals.Len(); i++ {
			v := vals.Get(i)
			typ := c.zero.Type().New(v.Number())
			subject := events.Subject(typ)
			if subject == "" {
				t.Errorf("%s has no subject", v.FullName())
				continue
			}
			if other, dup := seen[subject]; dup {
				t.Errorf("%s and %s are both %q", other, v.FullName(), subject)
			}
			seen[subject] = string(v.FullName())
			onStream := false
			for _, pattern := range c.stream.Subjects {
				onStream = onStream || matches(pattern, subject)
			}
			if !onStream {
				t.Errorf("%s: %q is not on stream %s %v", v.FullName(), subject, c.stream.Name, c.stream.Subjects)
			}
			if _, err := protoregistry.GlobalTypes.FindMessageByName(events.Payload(typ)); err != nil {
				t.Errorf("%s: payload %q: %v", v.FullName(), events.Payload(typ), err)
			}
		}
	}
}

func TestProducersWrapTheirPayloadAndConsumersSwitchOnTheType(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	msg := &paymentsv1.PaymentCaptured{Payment: &paymentsv1.Payment{BookingId: "b1"}}
	ev, err := events.Wrap(uuid.New(), paymentsv1.EventType_EVENT_TYPE_CAPTURED, at, msg)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Type != "payment.captured" || ev.Source != "payments" || !ev.OccurredAt.Equal(at) {
		t.Fatalf("envelope %+v; want payment.captured from payments", ev)
	}
	if got := events.TypeOf[paymentsv1.EventType](ev); got != paymentsv1.EventType_EVENT_TYPE_CAPTURED {
		t.Fatalf("TypeOf = %v, want CAPTURED", got)
	}
	// In another catalog, or unknown to this one: unspecified.
	if got := events.TypeOf[bookingv1.EventType](ev); got != bookingv1.EventType_EVENT_TYPE_UNSPECIFIED {
		t.Fatalf("a payment event is %v in the booking catalog", got)
	}
	ev.Type = "payment.teleported"
	if got := events.TypeOf[paymentsv1.EventType](ev); got != paymentsv1.EventType_EVENT_TYPE_UNSPECIFIED {
		t.Fatalf("an unknown subject is %v", got)
	}

	// The wrong payload, or no type, is refused.
	if _, err := events.Wrap(uuid.New(), paymentsv1.EventType_EVENT_TYPE_REFUNDED, at, msg); err == nil {
		t.Fatal("payment.refunded wrapped a PaymentCaptured")
	}
	if _, err := events.Wrap(uuid.New(), paymentsv1.EventType_EVENT_TYPE_UNSPECIFIED, at, msg); err == nil {
		t.Fatal("an unspecified type was wrapped")
	}
}
