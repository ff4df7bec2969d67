package grpcapi_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
)

func TestApprovalReachesBothSidesInTheirOwnTimeZones(t *testing.T) {
	h := start(t, options{})
	if _, err := h.api.UpsertRecipient(h.as("mentor-maria"), &notificationsv1.UpsertRecipientRequest{Recipient: &notificationsv1.Recipient{
		UserId: "mentor-maria", Email: "maria@example.com", DisplayName: "Maria", TimeZone: "Europe/Berlin",
	}}); err != nil {
		t.Fatal(err)
	}
	b := booking()
	h.publish(uuid.New(), "booking.approved", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR, ActorId: b.MentorId})

	h.eventually("two emails", func() bool { return len(h.smtp.Messages()) == 2 })
	tom, maria := h.smtp.To("tom@example.com"), h.smtp.To("maria@example.com")
	if len(tom) != 1 || len(maria) != 1 {
		t.Fatalf("emails to tom %d, to maria %d", len(tom), len(maria))
	}
	if want := "Maria approved your session: Monday 2 March 2026, 09:00 EST (America/New_York)"; tom[0].Subject != want {
		t.Errorf("mentee subject %q, want %q", tom[0].Subject, want)
	}
	if want := "15:00 CET (Europe/Berlin)"; !strings.Contains(maria[0].Subject, want) || !strings.Contains(maria[0].Text, want) {
		t.Errorf("mentor email does not show %q: %q", want, maria[0].Subject)
	}
	for _, m := range []received{tom[0], maria[0]} {
		for _, s := range []string{"https://meet.example/abc-defg", "calendar.google.com", "calendar.yahoo.com", "outlook.live.com"} {
			if !strings.Contains(m.Text, s) || !strings.Contains(m.HTML, s) {
				t.Errorf("email to %s lacks %q", m.To, s)
			}
		}
		data, ok := m.Attachments["session.ics"]
		if !ok {
			t.Fatalf("email to %s has no session.ics: %v", m.To, m.Attachments)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		start, err := cal.Events()[0].GetStartAt()
		if err != nil || !start.Equal(b.StartTime.AsTime()) {
			t.Errorf("ics start %v (%v), want %v", start, err, b.StartTime.AsTime())
		}
	}
	if !strings.Contains(tom[0].Text, "https://app.bookwell.test/bookings/"+b.Id) ||
		!strings.Contains(maria[0].Text, "https://app.bookwell.test/mentor/bookings/"+b.Id) {
		t.Error("emails lack the link to the booking")
	}

	for _, user := range []string{"mentee-tom", "mentor-maria"} {
		in := h.inbox(user)
		if len(in.Notifications) != 1 || in.UnreadCount != 1 {
			t.Fatalf("%s inbox: %d items, %d unread", user, len(in.Notifications), in.UnreadCount)
		}
		n := in.Notifications[0]
		if n.Kind != "booking.approved" || n.BookingId != b.Id {
			t.Errorf("%s: %+v", user, n)
		}
		h.eventually("delivery log says sent", func() bool {
			return h.inbox(user).Notifications[0].GetEmail().GetStatus() == notificationsv1.EmailStatus_EMAIL_STATUS_SENT
		})
	}
}

func TestNewRequestTellsTheMentorWithDetails(t *testing.T) {
	h := start(t, options{})
	b := booking()
	b.Status = bookingv1.BookingStatus_BOOKING_STATUS_PENDING
	b.IntakeAnswers = map[string]string{"Your goal": "Land a PM job"}
	h.publish(uuid.New(), "booking.requested", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTEE})

	h.eventually("the mentor's email", func() bool { return len(h.smtp.Messages()) == 1 })
	m := h.smtp.Messages()[0]
	// No address book entry for the mentor yet: the development fallback.
	if m.To != "mentor-maria@users.bookwell.local" {
		t.Errorf("to %q", m.To)
	}
	for _, s := range []string{"Tom", "Career chat", "15:00 CET (Europe/Berlin)", "switching careers", "Land a PM job", "EUR 45.00"} {
		if !strings.Contains(m.Text, s) {
			t.Errorf("request email lacks %q:\n%s", s, m.Text)
		}
	}
	if n := len(h.inbox("mentee-tom").Notifications); n != 0 {
		t.Errorf("the mentee got %d notifications about their own request", n)
	}
	if n := h.inbox("mentor-maria"); len(n.Notifications) != 1 || n.Notifications[0].Title != "New booking request from Tom" {
		t.Errorf("mentor inbox %+v", n.Notifications)
	}
}

func TestNoShowTellsTheMenteeToMessageTheMentor(t *testing.T) {
	h := start(t, options{devMail: true})
	b := booking()
	b.Status = bookingv1.BookingStatus_BOOKING_STATUS_NO_SHOW
	h.publish(uuid.New(), "booking.no_show", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR})

	var got *notificationsv1.ListDevMailboxMessagesResponse
	h.eventually("the development mailbox to receive it", func() bool {
		var err error
		got, err = h.api.ListDevMailboxMessages(h.as("admin"), &notificationsv1.ListDevMailboxMessagesRequest{To: "tom@example.com"})
		return err == nil && len(got.Messages) == 1
	})
	m := got.Messages[0]
	if m.Subject != "We marked you as not attending" || !strings.Contains(m.TextBody, "if this is wrong, message the mentor") {
		t.Errorf("dev mailbox: %q\n%s", m.Subject, m.TextBody)
	}
	if !strings.Contains(m.Raw, "Subject: We marked you as not attending") {
		t.Errorf("raw message lacks the subject:\n%s", m.Raw)
	}
	if len(h.smtp.Messages()) != 0 {
		t.Error("the development mailbox also sent over SMTP")
	}
}

func TestCancellationTellsTheOtherSideTheMoneyOutcome(t *testing.T) {
	h := start(t, options{})
	b := booking()
	b.Status = bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED
	b.Outcome = &bookingv1.Outcome{EndedBy: bookingv1.Role_ROLE_MENTEE, Reason: "I got sick", Money: "Late cancellation: the mentor is paid EUR 40.50.", Late: true}
	h.publish(uuid.New(), "booking.cancelled", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTEE, ActorId: b.MenteeId})

	h.eventually("the mentor's email", func() bool { return len(h.smtp.Messages()) == 1 })
	m := h.smtp.Messages()[0]
	if m.To != "mentor-maria@users.bookwell.local" || !strings.Contains(m.Text, "Tom cancelled") ||
		!strings.Contains(m.Text, "I got sick") || !strings.Contains(m.Text, "the mentor is paid EUR 40.50") {
		t.Errorf("cancellation email to %s:\n%s", m.To, m.Text)
	}
	if n := len(h.inbox("mentee-tom").Notifications); n != 0 {
		t.Errorf("the mentee who cancelled got %d notifications", n)
	}
}

// waitIdle waits until the consumer has handled marker, an event published
// after the ones under test.
func (h *harness) waitIdle() {
	h.t.Helper()
	marker := uuid.New()
	b := booking()
	b.MenteeId, b.MenteeEmail = "marker", "marker@example.com"
	h.publish(marker, "booking.completed", &bookingv1.BookingEvent{Booking: b})
	h.eventually("the marker event", func() bool { return h.processed(marker) })
	h.eventually("the marker email", func() bool { return len(h.smtp.To("marker@example.com")) == 1 })
	time.Sleep(100 * time.Millisecond) // let a duplicate email, if any, arrive
}
