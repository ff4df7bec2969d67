package grpcapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nats-io/nats.go/jetstream"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/eventapi"
)

// payoutDue is what the payments service publishes when Maria's 45 EUR
// session is released: 40.50 to her, 4.50 commission.
func payoutDue(b *bookingv1.Booking) *paymentsv1.PayoutDue {
	return &paymentsv1.PayoutDue{BookingId: b.Id, MentorId: b.MentorId, Amount: 4050, CommissionAmount: 450, Currency: "EUR"}
}

// refunded is a 20 EUR goodwill refund of Tom's 45 EUR card payment.
func refunded(b *bookingv1.Booking) *paymentsv1.PaymentRefunded {
	return &paymentsv1.PaymentRefunded{
		Payment: &paymentsv1.Payment{
			BookingId: b.Id, MenteeId: b.MenteeId, MentorId: b.MentorId, Amount: 4500, Currency: "EUR",
			Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, Status: paymentsv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED,
			CapturedAmount: 4500, RefundedAmount: 2000,
		},
		Amount: 2000, Note: "Goodwill: the video dropped twice",
	}
}

// paymentsProcessed reports whether the payments consumer handled the event.
func (h *harness) paymentsProcessed(id uuid.UUID) bool {
	return h.count(`SELECT count(*) FROM processed_events WHERE consumer = $1 AND event_id = $2`, eventapi.PaymentsDurable, id) == 1
}

func TestPayoutDueTellsTheMentorOnceInHerTimeZone(t *testing.T) {
	h := start(t, options{})
	b := booking()
	h.publish(uuid.New(), "booking.completed", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR})
	id := uuid.New()
	h.publishPayment(id, "payout.due", payoutDue(b), id.String())
	h.eventually("the payout email", func() bool { return len(h.smtp.To("mentor-maria@users.bookwell.local")) == 1 })
	// The same fact again under another message id (a lost ack): nothing new.
	h.publishPayment(id, "payout.due", payoutDue(b), "again-"+id.String())
	marker := uuid.New()
	h.publishPayment(marker, "payment.captured", &paymentsv1.PaymentCaptured{Payment: refunded(b).Payment}, marker.String())
	h.eventually("the marker", func() bool { return h.paymentsProcessed(marker) })
	time.Sleep(150 * time.Millisecond) // let a duplicate email, if any, arrive

	got := h.smtp.To("mentor-maria@users.bookwell.local")
	if len(got) != 1 {
		t.Fatalf("mentor got %d emails, want 1", len(got))
	}
	if want := "A payout of EUR 40.50 is due"; got[0].Subject != want {
		t.Errorf("subject %q, want %q", got[0].Subject, want)
	}
	// 14:00 UTC on 2 March 2026 is 15:00 in Berlin.
	for _, want := range []string{"EUR 40.50", "Monday 2 March 2026, 15:00 CET (Europe/Berlin)", "with Tom"} {
		if !strings.Contains(got[0].Text, want) || !strings.Contains(got[0].HTML, want) {
			t.Errorf("email lacks %q:\n%s", want, got[0].Text)
		}
	}
	in := h.inbox("mentor-maria")
	if len(in.Notifications) != 1 || in.UnreadCount != 1 {
		t.Fatalf("mentor inbox has %d items (%d unread), want 1", len(in.Notifications), in.UnreadCount)
	}
	if n := in.Notifications[0]; n.GetKind() != "payout.due" || !strings.Contains(n.GetBody(), "15:00 CET") {
		t.Errorf("inbox item %v", n)
	}
	if n := len(h.smtp.To("tom@example.com")); n != 1 { // booking.completed only
		t.Errorf("mentee got %d emails, want 1 (completed)", n)
	}
}

func TestARefundTellsTheMenteeTheAmountAndNoteOnce(t *testing.T) {
	h := start(t, options{})
	b := booking()
	b.Status = bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED
	// The booking's own refund event only updates the snapshot: the payment
	// event is the one notice, so the mentee is not told twice.
	b.Refunded = &bookingv1.Money{Currency: "EUR", AmountMinor: 2000}
	h.publish(uuid.New(), "booking.refunded", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR, Text: "Goodwill: the video dropped twice"})
	id := uuid.New()
	h.publishPayment(id, "payment.refunded", refunded(b), id.String())
	h.eventually("the refund email", func() bool { return len(h.smtp.To("tom@example.com")) >= 1 })
	h.publishPayment(id, "payment.refunded", refunded(b), "again-"+id.String())
	marker := uuid.New()
	h.publishPayment(marker, "payment.captured", &paymentsv1.PaymentCaptured{Payment: refunded(b).Payment}, marker.String())
	h.eventually("the marker", func() bool { return h.paymentsProcessed(marker) })
	time.Sleep(150 * time.Millisecond)

	got := h.smtp.To("tom@example.com")
	if len(got) != 1 {
		t.Fatalf("mentee got %d emails, want 1", len(got))
	}
	if want := "You have been refunded EUR 20.00"; got[0].Subject != want {
		t.Errorf("subject %q, want %q", got[0].Subject, want)
	}
	for _, want := range []string{"Note: Goodwill: the video dropped twice", "Monday 2 March 2026, 09:00 EST (America/New_York)"} {
		if !strings.Contains(got[0].Text, want) || !strings.Contains(got[0].HTML, want) {
			t.Errorf("email lacks %q:\n%s", want, got[0].Text)
		}
	}
	if in := h.inbox("mentee-tom"); len(in.Notifications) != 1 || in.Notifications[0].GetKind() != "payment.refunded" {
		t.Errorf("mentee inbox %v, want one payment.refunded item", in.Notifications)
	}
	if n := len(h.smtp.Messages()); n != 1 {
		t.Errorf("%d emails in all, want 1", n)
	}
}

func TestAPaymentEventBeforeItsBookingWaitsForTheBooking(t *testing.T) {
	h := start(t, options{})
	b := booking()
	id := uuid.New()
	h.publishPayment(id, "payout.due", payoutDue(b), id.String())
	time.Sleep(300 * time.Millisecond) // several attempts, all before the booking is known
	if h.paymentsProcessed(id) {
		t.Fatal("payout handled before its booking was known")
	}
	h.publish(uuid.New(), "booking.completed", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR})
	h.eventually("the payout email", func() bool { return len(h.smtp.To("mentor-maria@users.bookwell.local")) == 1 })
	if got := h.smtp.To("mentor-maria@users.bookwell.local")[0]; !strings.Contains(got.Text, "15:00 CET (Europe/Berlin)") {
		t.Errorf("email lacks the session time:\n%s", got.Text)
	}
}

func TestMalformedPaymentEventsAreDeadLettered(t *testing.T) {
	h := start(t, options{})
	if _, err := events.Ensure(h.ctx, h.js, events.DeadLetterStream); err != nil {
		t.Fatal(err)
	}
	b := booking()
	h.publish(uuid.New(), "booking.completed", &bookingv1.BookingEvent{Booking: b})
	noMentor := payoutDue(b)
	noMentor.MentorId = ""
	id := uuid.New()
	h.publishPayment(id, "payout.due", noMentor, id.String())
	if _, err := h.js.Publish(h.ctx, "payment.refunded", []byte(`{"id":"`+uuid.NewString()+`","type":"payment.refunded","data":{"amount":"lots"}}`), jetstream.WithMsgID("junk")); err != nil {
		t.Fatal(err)
	}
	good := uuid.New()
	h.publishPayment(good, "payout.due", payoutDue(b), good.String())
	h.eventually("the good payout", func() bool { return len(h.smtp.To("mentor-maria@users.bookwell.local")) == 1 })

	sub, err := h.js.OrderedConsumer(h.ctx, events.DeadLetterStream.Name, jetstream.OrderedConsumerConfig{
		FilterSubjects: []string{consumer.DeadLetterSubject(eventapi.PaymentsDurable)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	h.eventually("two dead letters", func() bool {
		batch, err := sub.FetchNoWait(10)
		if err != nil {
			t.Fatal(err)
		}
		for m := range batch.Messages() {
			reasons = append(reasons, m.Headers().Get("Bookwell-Reason"))
		}
		return len(reasons) >= 2
	})
	if len(reasons) != 2 || !strings.Contains(reasons[0], "mentor's id are required") || !strings.Contains(reasons[1], "malformed event") {
		t.Errorf("dead letters %q", reasons)
	}
}
