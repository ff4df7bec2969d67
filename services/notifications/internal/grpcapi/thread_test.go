package grpcapi_test

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
)

func TestMentorMessageAndMenteeReplyShareTheThread(t *testing.T) {
	h := start(t, options{})
	if _, err := h.api.UpsertRecipient(h.as("mentor-maria"), &notificationsv1.UpsertRecipientRequest{Recipient: &notificationsv1.Recipient{
		UserId: "mentor-maria", Email: "maria@example.com", DisplayName: "Maria", TimeZone: "Europe/Berlin",
	}}); err != nil {
		t.Fatal(err)
	}
	b := booking()
	h.publish(uuid.New(), "booking.message_sent", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR,
		ActorId: b.MentorId, Text: "Payment received, see you Monday!"})
	h.eventually("the message email", func() bool { return len(h.smtp.To("tom@example.com")) == 1 })
	m := h.smtp.To("tom@example.com")[0]
	if m.Subject != "Message from Maria about your booking" || !strings.Contains(m.Text, "Payment received, see you Monday!") {
		t.Errorf("message email %q:\n%s", m.Subject, m.Text)
	}

	reply := &notificationsv1.ReplyToThreadRequest{BookingId: b.Id, UserId: "mentee-tom", Text: "Great, thanks!", RequestId: "r1"}
	first, err := h.api.ReplyToThread(h.as("mentee-tom"), reply)
	if err != nil {
		t.Fatal(err)
	}
	again, err := h.api.ReplyToThread(h.as("mentee-tom"), reply) // a client retry
	if err != nil || again.Message.Id != first.Message.Id {
		t.Fatalf("retried reply: %v %v", again, err)
	}
	h.eventually("the reply email", func() bool { return len(h.smtp.To("maria@example.com")) == 1 })
	if m := h.smtp.To("maria@example.com")[0]; m.Subject != "Tom replied about your booking" || !strings.Contains(m.Text, "Great, thanks!") {
		t.Errorf("reply email %q:\n%s", m.Subject, m.Text)
	}
	if in := h.inbox("mentor-maria"); len(in.Notifications) != 1 || in.Notifications[0].Kind != "booking.thread_reply" {
		t.Errorf("mentor inbox %+v", in.Notifications)
	}

	for _, user := range []string{"mentor-maria", "mentee-tom"} {
		th, err := h.api.GetBookingThread(h.as(user), &notificationsv1.GetBookingThreadRequest{BookingId: b.Id, UserId: user})
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Messages) != 2 || th.Messages[0].AuthorRole != notificationsv1.ThreadRole_THREAD_ROLE_MENTOR ||
			th.Messages[1].AuthorRole != notificationsv1.ThreadRole_THREAD_ROLE_MENTEE || th.Messages[1].Text != "Great, thanks!" {
			t.Errorf("%s sees thread %+v", user, th.Messages)
		}
	}

	for name, tc := range map[string]struct {
		req  *notificationsv1.ReplyToThreadRequest
		want codes.Code
	}{
		"the mentor replying as mentee": {&notificationsv1.ReplyToThreadRequest{BookingId: b.Id, UserId: "mentor-maria", Text: "x"}, codes.PermissionDenied},
		"a stranger":                    {&notificationsv1.ReplyToThreadRequest{BookingId: b.Id, UserId: "eve", Text: "x"}, codes.NotFound},
		"an unknown booking":            {&notificationsv1.ReplyToThreadRequest{BookingId: uuid.NewString(), UserId: "mentee-tom", Text: "x"}, codes.NotFound},
		"an empty reply":                {&notificationsv1.ReplyToThreadRequest{BookingId: b.Id, UserId: "mentee-tom", Text: "   "}, codes.InvalidArgument},
	} {
		if _, err := h.api.ReplyToThread(h.as(tc.req.UserId), tc.req); status.Code(err) != tc.want {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
	if _, err := h.api.GetBookingThread(h.as("eve"), &notificationsv1.GetBookingThreadRequest{BookingId: b.Id, UserId: "eve"}); status.Code(err) != codes.NotFound {
		t.Errorf("a stranger reading the thread: %v", err)
	}
	if n := h.count(`SELECT count(*) FROM thread_messages`); n != 2 {
		t.Errorf("%d thread messages after bad replies, want 2", n)
	}
}
