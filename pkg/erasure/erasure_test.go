package erasure

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
)

// The handler erases the person the event names; an event without an id or
// a pseudonym is dead-lettered, and other booking events are not its.
func TestTheHandlerErasesWhomTheEventNames(t *testing.T) {
	var got []string
	h := Handler(func(_ context.Context, _ pgx.Tx, userID, pseudonym string) error {
		got = append(got, userID+">"+pseudonym)
		return nil
	})
	ev := func(t *testing.T, typ bookingv1.EventType, msg *bookingv1.UserErased) events.Event {
		e, err := events.Wrap(uuid.New(), typ, time.Now(), msg)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ctx := context.Background()
	if err := h(ctx, nil, ev(t, bookingv1.EventType_EVENT_TYPE_USER_ERASED, &bookingv1.UserErased{ErasureId: "e1", UserId: "ada", Pseudonym: "erased-1"})); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*bookingv1.UserErased{{UserId: "ada"}, {Pseudonym: "erased-1"}, {UserId: "ada", Pseudonym: "ada"}} {
		if err := h(ctx, nil, ev(t, bookingv1.EventType_EVENT_TYPE_USER_ERASED, bad)); !errors.Is(err, events.ErrMalformed) {
			t.Errorf("%v: %v, want malformed", bad, err)
		}
	}
	if len(got) != 1 || got[0] != "ada>erased-1" {
		t.Fatalf("erased %v", got)
	}
}
