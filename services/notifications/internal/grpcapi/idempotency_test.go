package grpcapi_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
)

func TestAnEventDeliveredTwiceNotifiesOnce(t *testing.T) {
	h := start(t, options{})
	b := booking()
	id := uuid.New()
	ev := &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTEE}
	// Published twice with the same Nats-Msg-Id (a relay retry): the stream drops one.
	h.publish(id, "booking.requested", ev)
	h.publish(id, "booking.requested", ev)
	h.eventually("the event", func() bool { return h.processed(id) })
	// The same event again under another message id, as after a lost ack:
	// the stream keeps it, and the consumer must recognise the event id.
	h.publishWithMsgID(id, "booking.requested", ev, "redelivery-"+id.String())
	h.waitIdle()

	if n := len(h.smtp.To("mentor-maria@users.bookwell.local")); n != 1 {
		t.Errorf("mentor got %d emails, want 1", n)
	}
	if in := h.inbox("mentor-maria"); len(in.Notifications) != 1 || in.UnreadCount != 1 {
		t.Errorf("mentor inbox has %d items (%d unread), want 1", len(in.Notifications), in.UnreadCount)
	}
}

func TestAFailedAttemptIsRetriedAndNotifiesOnce(t *testing.T) {
	id := uuid.New()
	var calls atomic.Int32
	failOnce := func(next consumer.Handler) consumer.Handler {
		return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
			if ev.ID != id {
				return next(ctx, tx, ev)
			}
			// Do the work, then fail: the transaction must roll all of it back.
			if err := next(ctx, tx, ev); err != nil {
				return err
			}
			if calls.Add(1) == 1 {
				return errors.New("database hiccup")
			}
			return nil
		}
	}
	h := start(t, options{wrap: failOnce})
	b := booking()
	h.publish(id, "booking.marked_paid", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR})
	h.eventually("the retried event", func() bool { return h.processed(id) })
	h.waitIdle()

	if calls.Load() != 2 {
		t.Errorf("handler ran %d times, want 2", calls.Load())
	}
	got := h.smtp.To("tom@example.com")
	if len(got) != 1 {
		t.Fatalf("mentee got %d emails, want 1", len(got))
	}
	if got[0].Subject != "Your booking is confirmed" {
		t.Errorf("subject %q", got[0].Subject)
	}
	if n := len(h.inbox("mentee-tom").Notifications); n != 1 {
		t.Errorf("mentee inbox has %d items, want 1", n)
	}
}

func TestMalformedEventsAreDeadLetteredAndTheConsumerGoesOn(t *testing.T) {
	h := start(t, options{})
	if _, err := events.Ensure(h.ctx, h.js, events.DeadLetterStream); err != nil {
		t.Fatal(err)
	}
	// Not an envelope at all.
	if _, err := h.js.Publish(h.ctx, "booking.requested", []byte("not json"), jetstream.WithMsgID("junk-1")); err != nil {
		t.Fatal(err)
	}
	// An envelope whose payload has no booking.
	h.publish(uuid.New(), "booking.approved", &bookingv1.BookingEvent{Text: "no booking here"})
	// A booking approved without a time: nothing to tell anyone.
	b := booking()
	b.StartTime = nil
	h.publish(uuid.New(), "booking.approved", &bookingv1.BookingEvent{Booking: b})
	h.waitIdle()

	sub, err := h.js.OrderedConsumer(h.ctx, events.DeadLetterStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{consumer.DeadLetterSubject(eventapi.BookingDurable)},
	})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := sub.FetchNoWait(10)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for m := range batch.Messages() {
		reasons = append(reasons, m.Headers().Get("Bookwell-Reason"))
	}
	if len(reasons) != 3 {
		t.Fatalf("dead letters %q, want 3", reasons)
	}
	for i, want := range []string{"malformed event", "booking is required", "start_time is required"} {
		if !strings.Contains(reasons[i], want) {
			t.Errorf("dead letter %d reason %q lacks %q", i, reasons[i], want)
		}
	}
	if n := h.count(`SELECT count(*) FROM notifications WHERE user_id <> 'marker'`); n != 0 {
		t.Errorf("%d notifications from malformed events", n)
	}
}

func TestSMTPDownNothingIsLost(t *testing.T) {
	h := start(t, options{smtpDown: true})
	b := booking()
	h.publish(uuid.New(), "booking.rejected", &bookingv1.BookingEvent{Booking: withOutcome(b, "Outside my expertise"), ActorRole: bookingv1.Role_ROLE_MENTOR})

	// The inbox item appears at once; the email waits, with its failures logged.
	var n *notificationsv1.Notification
	h.eventually("a failed attempt in the delivery log", func() bool {
		in := h.inbox("mentee-tom")
		if len(in.Notifications) != 1 {
			return false
		}
		n = in.Notifications[0]
		return n.GetEmail().GetAttempts() >= 2
	})
	if n.Email.Status != notificationsv1.EmailStatus_EMAIL_STATUS_QUEUED || n.Email.LastError == "" {
		t.Fatalf("email while SMTP is down: %+v", n.Email)
	}
	if !strings.Contains(n.Body, "Outside my expertise") {
		t.Errorf("inbox body %q lacks the reason", n.Body)
	}

	h.smtp.Start()
	h.eventually("the email once SMTP is back", func() bool { return len(h.smtp.Messages()) == 1 })
	h.eventually("the delivery log to say sent", func() bool {
		return h.inbox("mentee-tom").Notifications[0].GetEmail().GetStatus() == notificationsv1.EmailStatus_EMAIL_STATUS_SENT
	})
	h.waitIdle()
	if got := h.smtp.To("tom@example.com"); len(got) != 1 || !strings.Contains(got[0].Text, "Reason: Outside my expertise") {
		t.Fatalf("mentee emails: %+v", got)
	}
	log, err := h.store.DeliveryLog(h.ctx, emailID(t, h, n.Id))
	if err != nil {
		t.Fatal(err)
	}
	if first, last := log[0], log[len(log)-1]; first.Status != "queued" || last.Status != "sent" || log[1].Status != "retry" || log[1].Detail == "" {
		t.Errorf("delivery log %+v", log)
	}
}

func withOutcome(b *bookingv1.Booking, reason string) *bookingv1.Booking {
	b.Status = bookingv1.BookingStatus_BOOKING_STATUS_REJECTED
	b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTOR, Reason: reason, Money: "You are refunded EUR 45.00."}
	return b
}

func emailID(t *testing.T, h *harness, notificationID string) string {
	var id string
	if err := h.pool.QueryRow(h.ctx, `SELECT id FROM emails WHERE notification_id = $1`, notificationID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
