package grpcapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/reputation/internal/eventapi"
)

// pay publishes a payments event about a 50 EUR card payment whose running
// totals are captured and refunded after it, and returns it so a test can
// publish it again.
func (h *harness) pay(subject, bookingID, mentee string, captured, refunded int64) events.Event {
	h.t.Helper()
	p := &paymentsv1.Payment{
		BookingId: bookingID, MenteeId: mentee, MentorId: "mentor-kim", Amount: 5000, Currency: "EUR",
		Method: paymentsv1.PaymentMethod_PAYMENT_METHOD_CARD, CapturedAmount: captured, RefundedAmount: refunded,
	}
	var msg proto.Message
	switch subject {
	case "payment.captured":
		msg = &paymentsv1.PaymentCaptured{Payment: p}
	case "payment.refunded":
		msg = &paymentsv1.PaymentRefunded{Payment: p, Amount: refunded, Note: "refund"}
	case "payment.authorized":
		msg = &paymentsv1.PaymentAuthorized{Payment: p}
	default:
		h.t.Fatalf("pay: unknown subject %s", subject)
	}
	ev, err := events.New(uuid.New(), subject, "payments", time.Now(), msg)
	if err != nil {
		h.t.Fatal(err)
	}
	h.publish(ev, ev.ID.String())
	return ev
}

// moneyStory is one mentee's three paid bookings with mentor-kim, as the
// booking context tells them: a completed session, a session the mentor
// cancelled (fully refunded), and one the mentee cancelled too late (the
// mentor was paid).
func moneyStory(h *harness, mentee string) {
	start := t0.Add(10 * 24 * time.Hour)
	h.newBooking(mentee+"-a", "mentor-kim", mentee, start).request().approve(time.Hour).finish(completed, 0)
	h.newBooking(mentee+"-b", "mentor-kim", mentee, start.Add(time.Hour)).request().approve(time.Hour).cancel(bookingv1.Role_ROLE_MENTOR, start.Add(-48*time.Hour))
	late := h.newBooking(mentee+"-c", "mentor-kim", mentee, start.Add(2*time.Hour)).request().approve(time.Hour)
	late.emit("booking.cancelled", start.Add(time.Hour), bookingv1.Role_ROLE_MENTEE, func(b *bookingv1.Booking) {
		b.Status = bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED
		b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTEE, Late: true, EndTime: timestamppb.New(start.Add(time.Hour))}
	})
}

// paymentStory is the same three bookings as the payments context tells
// them, out of order and with a duplicate: 50 − 15 (goodwill) + 50 − 50 + 50.
func paymentStory(h *harness, mentee string) {
	refund := h.pay("payment.refunded", mentee+"-a", mentee, 5000, 1500) // overtakes its capture
	h.pay("payment.captured", mentee+"-a", mentee, 5000, 0)
	h.publish(refund, "again-"+refund.ID.String()) // a lost ack: the same event again
	h.pay("payment.authorized", mentee+"-a", mentee, 0, 0)
	h.pay("payment.captured", mentee+"-b", mentee, 5000, 0)
	h.pay("payment.refunded", mentee+"-b", mentee, 5000, 5000)
	h.pay("payment.captured", mentee+"-c", mentee, 5000, 0)
}

func spend(h *harness, mentee string) map[string]int64 {
	out := map[string]int64{}
	for _, m := range h.history(mentee).GetTotalSpend() {
		out[m.GetCurrency()] = m.GetAmountMinor()
	}
	return out
}

func TestSpendFollowsPaymentsWhicheverStreamArrivesFirst(t *testing.T) {
	h := start(t)
	// Booking first: until payments speaks, only the held session counts.
	moneyStory(h, "mentee-bookfirst")
	h.settle()
	if got := spend(h, "mentee-bookfirst"); got["EUR"] != 5000 {
		t.Errorf("from bookings alone: spend %v, want EUR 5000 (the completed session)", got)
	}
	paymentStory(h, "mentee-bookfirst")
	// Payments first: the money is known before the bookings are.
	paymentStory(h, "mentee-payfirst")
	h.settle()
	if got := spend(h, "mentee-payfirst"); got["EUR"] != 8500 {
		t.Errorf("from payments alone: spend %v, want EUR 8500", got)
	}
	moneyStory(h, "mentee-payfirst")
	h.settle()
	for _, mentee := range []string{"mentee-bookfirst", "mentee-payfirst"} {
		// 35 (completed, 15 refunded) + 0 (mentor cancelled, refunded) + 50 (late cancel, mentor paid).
		if got := spend(h, mentee); len(got) != 1 || got["EUR"] != 8500 {
			t.Errorf("%s: spend %v, want EUR 8500", mentee, got)
		}
		if n := h.history(mentee).GetPriorSessionCount(); n != 1 {
			t.Errorf("%s: %d prior sessions, want 1", mentee, n)
		}
	}
}

func TestMalformedPaymentEventChangesNothing(t *testing.T) {
	h := start(t)
	h.pay("payment.captured", "x-1", "", 5000, 0)              // no mentee
	h.pay("payment.refunded", "x-2", "mentee-zed", 5000, 9000) // refunded more than captured
	h.pay("payment.captured", "x-3", "mentee-zed", 5000, 0)
	h.settle()
	if got := spend(h, "mentee-zed"); got["EUR"] != 5000 {
		t.Errorf("spend %v, want EUR 5000 (only the valid capture)", got)
	}
}

func TestRebuildReplaysPaymentsToo(t *testing.T) {
	h := start(t)
	publishHistory(h)
	// k-1 (completed, 50) gets a 10 EUR goodwill refund through payments.
	h.pay("payment.captured", "k-1", "mentee-ada", 5000, 0)
	h.pay("payment.refunded", "k-1", "mentee-ada", 5000, 1000)
	h.settle()
	before := h.history("mentee-ada")
	// 40 (k-1 from payments) + 30 (k-2 from its snapshot: 50 − 20).
	if got := spend(h, "mentee-ada"); got["EUR"] != 7000 {
		t.Fatalf("spend before rebuild %v, want EUR 7000", got)
	}
	h.stopCons()
	if err := eventapi.Rebuild(context.Background(), h.svc, h.js); err != nil {
		t.Fatal(err)
	}
	if got := spend(h, "mentee-ada"); len(got) != 0 {
		t.Fatalf("after truncation: spend %v, want none", got)
	}
	h.startConsumer()
	h.settle()
	if after := h.history("mentee-ada"); !proto.Equal(before, after) {
		t.Errorf("after rebuild:\n%v\nbefore:\n%v", after, before)
	}
}
