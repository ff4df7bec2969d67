package events

import (
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	eventsv1 "github.com/bookwell/bookwell/gen/go/bookwell/events/v1"
)

// Type is a value of one context's event catalog: the EventType enum of its
// proto/bookwell/<context>/v1/events.proto, e.g.
// bookingv1.EventType_EVENT_TYPE_APPROVED. Each value carries the subject its
// events are published on and the message their payload is.
type Type interface {
	comparable
	protoreflect.Enum
}

// Subject is the subject (and envelope type) of events of type t, or "" for
// a value that names no event (EVENT_TYPE_UNSPECIFIED).
func Subject(t protoreflect.Enum) string { return describe(t).GetSubject() }

// Payload is the full name of the message events of type t carry.
func Payload(t protoreflect.Enum) protoreflect.FullName {
	return protoreflect.FullName(describe(t).GetPayload())
}

// Source is the service that publishes the events of t's catalog.
func Source(t protoreflect.Enum) string {
	s, _ := proto.GetExtension(t.Descriptor().Options(), eventsv1.E_Source).(string)
	return s
}

func describe(t protoreflect.Enum) *eventsv1.EventType {
	v := t.Descriptor().Values().ByNumber(t.Number())
	if v == nil {
		return nil
	}
	et, _ := proto.GetExtension(v.Options(), eventsv1.E_Event).(*eventsv1.EventType)
	return et
}

// Wrap puts msg in the envelope of an event of type t, with id, published
// by t's source at at. It fails unless msg is the payload t declares, so a
// producer cannot announce one fact with another's payload.
func Wrap(id uuid.UUID, t protoreflect.Enum, at time.Time, msg proto.Message) (Event, error) {
	subject := Subject(t)
	if subject == "" {
		return Event{}, fmt.Errorf("event type %v is not in the catalog", t)
	}
	if got, want := msg.ProtoReflect().Descriptor().FullName(), Payload(t); got != want {
		return Event{}, fmt.Errorf("%s carries %s, not %s", subject, want, got)
	}
	return New(id, subject, Source(t), at, msg)
}

// bySubject maps each catalog (an enum's full name) from subject to value.
var bySubject sync.Map // protoreflect.FullName -> map[string]protoreflect.EnumNumber

// TypeOf is ev's type in T's catalog, or T's zero value (UNSPECIFIED) when
// ev is of no type T names: a consumer switches on it.
//
//	switch events.TypeOf[paymentsv1.EventType](ev) {
//	case paymentsv1.EventType_EVENT_TYPE_CAPTURED:
func TypeOf[T Type](ev Event) T {
	var zero T
	d := zero.Descriptor()
	m, ok := bySubject.Load(d.FullName())
	if !ok {
		subjects := map[string]protoreflect.EnumNumber{}
		for i := range d.Values().Len() {
			v := d.Values().Get(i)
			if et, _ := proto.GetExtension(v.Options(), eventsv1.E_Event).(*eventsv1.EventType); et.GetSubject() != "" {
				subjects[et.GetSubject()] = v.Number()
			}
		}
		m, _ = bySubject.LoadOrStore(d.FullName(), subjects)
	}
	n, ok := m.(map[string]protoreflect.EnumNumber)[ev.Type]
	if !ok {
		return zero
	}
	t, _ := zero.Type().New(n).(T)
	return t
}
