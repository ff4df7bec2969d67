package grpcapi_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
)

func TestAnAdminResendsAnEmailOncePerRequestID(t *testing.T) {
	h := start(t, options{})
	b := booking()
	h.publish(uuid.New(), "booking.approved", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR, ActorId: b.MentorId})
	h.eventually("two emails", func() bool { return len(h.smtp.Messages()) == 2 })
	n := h.inbox("mentee-tom").Notifications[0]

	resend := func(who, requestID string) (*notificationsv1.ResendEmailResponse, error) {
		return h.api.ResendEmail(h.as(who), &notificationsv1.ResendEmailRequest{NotificationId: n.Id, RequestId: requestID})
	}
	if _, err := resend("mentee-tom", "r-1"); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a mentee resending: %v", err)
	}
	if _, err := resend("admin", ""); status.Code(err) != codes.InvalidArgument {
		t.Fatalf("no request id: %v", err)
	}
	if _, err := h.api.ResendEmail(h.as("admin"), &notificationsv1.ResendEmailRequest{NotificationId: uuid.NewString(), RequestId: "r-1"}); status.Code(err) != codes.NotFound {
		t.Fatalf("an unknown notification: %v", err)
	}
	first, err := resend("admin", "r-1")
	if err != nil {
		t.Fatal(err)
	}
	again, err := resend("admin", "r-1")
	if err != nil || again.EmailId != first.EmailId {
		t.Fatalf("retry = %v (%v), want the same email %s", again, err, first.EmailId)
	}
	if first.GetEmail().GetTo() != "tom@example.com" {
		t.Fatalf("resent to %q", first.GetEmail().GetTo())
	}
	h.eventually("the copy is sent", func() bool { return len(h.smtp.To("tom@example.com")) == 2 })
	if _, err := resend("admin", "r-2"); err != nil {
		t.Fatal(err)
	}
	h.eventually("another request id sends another", func() bool { return len(h.smtp.To("tom@example.com")) == 3 })
	tom := h.smtp.To("tom@example.com")
	if tom[1].Subject != tom[0].Subject || tom[1].Text != tom[0].Text {
		t.Fatalf("the copy differs: %q vs %q", tom[1].Subject, tom[0].Subject)
	}
	if got := h.count(`SELECT count(*) FROM email_log WHERE detail LIKE 'resent by admin (request r-1)%'`); got != 2 {
		t.Fatalf("log entries of the resend %d, want 2 (original and copy)", got)
	}
}

func TestAnAdminRedrivesADeadLetteredEventAfterTheFix(t *testing.T) {
	var broken atomic.Bool
	broken.Store(true)
	h := start(t, options{wrap: func(next consumer.Handler) consumer.Handler {
		return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
			if broken.Load() {
				return errors.Join(consumer.ErrPermanent, errors.New("template missing"))
			}
			return next(ctx, tx, ev)
		}
	}})
	b := booking()
	h.publish(uuid.New(), "booking.approved", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR, ActorId: b.MentorId})
	var dl *notificationsv1.ListDeadLettersResponse
	h.eventually("a dead letter", func() bool {
		var err error
		dl, err = h.api.ListDeadLetters(h.as("admin"), &notificationsv1.ListDeadLettersRequest{})
		return err == nil && len(dl.DeadLetters) == 1
	})
	d := dl.DeadLetters[0]
	if d.Consumer != eventapi.BookingDurable || d.Subject != "booking.approved" || !strings.Contains(d.Reason, "template missing") {
		t.Fatalf("dead letter %v", d)
	}
	if _, err := h.api.ListDeadLetters(h.as("mentor-maria"), &notificationsv1.ListDeadLettersRequest{}); status.Code(err) != codes.PermissionDenied {
		t.Fatalf("a mentor listing dead letters: %v", err)
	}
	broken.Store(false)
	for range 2 {
		got, err := h.api.RedriveDeadLetter(h.as("admin"), &notificationsv1.RedriveDeadLetterRequest{Id: d.Id})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetDeadLetter().GetRedriveTime() == nil || got.GetDeadLetter().GetRedrivenBy() != "admin" {
			t.Fatalf("redriven %v", got)
		}
	}
	h.eventually("both emails", func() bool { return len(h.smtp.Messages()) == 2 })
	if in := h.inbox("mentee-tom"); len(in.Notifications) != 1 {
		t.Fatalf("mentee inbox %d items, want 1", len(in.Notifications))
	}
	if dl, _ := h.api.ListDeadLetters(h.as("admin"), &notificationsv1.ListDeadLettersRequest{}); len(dl.GetDeadLetters()) != 0 {
		t.Fatalf("still dead: %v", dl)
	}
}
