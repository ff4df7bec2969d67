package grpcapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
)

func TestInboxPagesNewestFirstAndMarksRead(t *testing.T) {
	h := start(t, options{devMail: true})
	b := booking()
	var last uuid.UUID
	for i := range 5 {
		last = uuid.New()
		h.publish(last, "booking.message_sent", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR, Text: fmt.Sprintf("message %d", i)})
	}
	h.eventually("all five", func() bool { return h.processed(last) })

	var texts []string
	token := ""
	for page := 0; ; page++ {
		resp, err := h.api.ListNotifications(h.as("mentee-tom"), &notificationsv1.ListNotificationsRequest{UserId: "mentee-tom", PageSize: 2, PageToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if resp.UnreadCount != 5 {
			t.Errorf("page %d: unread %d, want 5", page, resp.UnreadCount)
		}
		for _, n := range resp.Notifications {
			texts = append(texts, n.Body)
		}
		if token = resp.NextPageToken; token == "" {
			break
		}
	}
	// The mentor has no address book entry: she is "Your mentor".
	if want := "Your mentor: message 4|Your mentor: message 3|Your mentor: message 2|Your mentor: message 1|Your mentor: message 0"; strings.Join(texts, "|") != want {
		t.Errorf("inbox order %q, want newest first", texts)
	}

	first := h.inbox("mentee-tom").Notifications[0]
	// Another user cannot mark Tom's notification, and learns nothing of it.
	_, err := h.api.MarkNotificationsRead(h.as("mentor-maria"), &notificationsv1.MarkNotificationsReadRequest{UserId: "mentor-maria", NotificationId: first.Id})
	if status.Code(err) != codes.NotFound {
		t.Errorf("marking another user's notification: %v, want NotFound", err)
	}
	resp, err := h.api.MarkNotificationsRead(h.as("mentee-tom"), &notificationsv1.MarkNotificationsReadRequest{UserId: "mentee-tom", NotificationId: first.Id})
	if err != nil || resp.MarkedCount != 1 || resp.UnreadCount != 4 {
		t.Fatalf("mark one: %+v %v", resp, err)
	}
	resp, err = h.api.MarkNotificationsRead(h.as("mentee-tom"), &notificationsv1.MarkNotificationsReadRequest{UserId: "mentee-tom", NotificationId: first.Id})
	if err != nil || resp.MarkedCount != 0 || resp.UnreadCount != 4 {
		t.Fatalf("mark the same again: %+v %v", resp, err)
	}
	if got := h.inbox("mentee-tom").Notifications[0]; got.ReadTime == nil {
		t.Error("read notification has no read_time")
	}
	unread, err := h.api.ListNotifications(h.as("mentee-tom"), &notificationsv1.ListNotificationsRequest{UserId: "mentee-tom", UnreadOnly: true})
	if err != nil || len(unread.Notifications) != 4 {
		t.Fatalf("unread only: %d %v", len(unread.GetNotifications()), err)
	}
	resp, err = h.api.MarkNotificationsRead(h.as("mentee-tom"), &notificationsv1.MarkNotificationsReadRequest{UserId: "mentee-tom", All: true})
	if err != nil || resp.MarkedCount != 4 || resp.UnreadCount != 0 {
		t.Fatalf("mark all: %+v %v", resp, err)
	}
}

func TestInboxRejectsBadInput(t *testing.T) {
	h := start(t, options{devMail: true})
	for name, call := range map[string]func() error{
		"no user": func() error {
			_, err := h.api.ListNotifications(h.as("u"), &notificationsv1.ListNotificationsRequest{})
			return err
		},
		"forged page token": func() error {
			_, err := h.api.ListNotifications(h.as("u"), &notificationsv1.ListNotificationsRequest{UserId: "u", PageToken: "bm9wZQ"})
			return err
		},
		"neither id nor all": func() error {
			_, err := h.api.MarkNotificationsRead(h.as("u"), &notificationsv1.MarkNotificationsReadRequest{UserId: "u"})
			return err
		},
		"both id and all": func() error {
			_, err := h.api.MarkNotificationsRead(h.as("u"), &notificationsv1.MarkNotificationsReadRequest{UserId: "u", NotificationId: uuid.NewString(), All: true})
			return err
		},
		"recipient without email": func() error {
			_, err := h.api.UpsertRecipient(h.as("u"), &notificationsv1.UpsertRecipientRequest{Recipient: &notificationsv1.Recipient{UserId: "u", Email: "not an address"}})
			return err
		},
		"recipient in no time zone": func() error {
			_, err := h.api.UpsertRecipient(h.as("u"), &notificationsv1.UpsertRecipientRequest{Recipient: &notificationsv1.Recipient{UserId: "u", Email: "u@example.com", TimeZone: "Mars/Olympus"}})
			return err
		},
	} {
		if status.Code(call()) != codes.InvalidArgument {
			t.Errorf("%s: %v, want InvalidArgument", name, call())
		}
	}
	if n := h.count(`SELECT count(*) FROM recipients`); n != 0 {
		t.Errorf("bad input stored %d recipients", n)
	}
}

func TestARefusedRecipientIsGivenUpOnWithTheReason(t *testing.T) {
	h := start(t, options{rcptErr: &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}})
	b := booking()
	h.publish(uuid.New(), "booking.completed", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR})
	var e *notificationsv1.EmailDelivery
	h.eventually("the email to be given up on", func() bool {
		in := h.inbox("mentee-tom")
		if len(in.Notifications) != 1 {
			return false
		}
		e = in.Notifications[0].Email
		return e.Status == notificationsv1.EmailStatus_EMAIL_STATUS_FAILED
	})
	if e.Attempts != 1 || !strings.Contains(e.LastError, "no such mailbox") {
		t.Errorf("delivery %+v: want one attempt and the server's reason", e)
	}
}
