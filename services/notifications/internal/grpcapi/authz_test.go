package grpcapi_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
	"github.com/bookwell/bookwell/pkg/identity"
)

func reasonOf(err error) string {
	var ae *apperr.Error
	if errors.As(grpcstatus.Decode(err), &ae) {
		return ae.Reason
	}
	return ""
}

// TestOnlyTheUserReadsTheirInboxAndOnlyTheBookingsSidesItsThread calls as
// the user, someone else, a service, an admin and nobody.
func TestOnlyTheUserReadsTheirInboxAndOnlyTheBookingsSidesItsThread(t *testing.T) {
	h := start(t, options{devMail: true})
	b := booking()
	id := uuid.New()
	h.publish(id, "booking.message_sent", &bookingv1.BookingEvent{Booking: b, ActorRole: bookingv1.Role_ROLE_MENTOR,
		ActorId: b.MentorId, Text: "See you Monday"})
	h.eventually("the message", func() bool { return h.processed(id) })

	tom, eve, maria, admin := h.as("mentee-tom"), h.as("eve"), h.as("mentor-maria"), h.as("admin")
	stranger := h.as("mentor-other")
	service := h.asPrincipal(identity.Principal{Subject: "booking", Role: identity.RoleService})
	inbox := &notificationsv1.ListNotificationsRequest{UserId: "mentee-tom"}
	markAll := &notificationsv1.MarkNotificationsReadRequest{UserId: "mentee-tom", All: true}
	thread := &notificationsv1.GetBookingThreadRequest{BookingId: b.Id}
	for _, c := range []struct {
		name   string
		call   func() error
		code   codes.Code
		reason string
	}{
		{"nobody lists an inbox", func() error { _, err := h.api.ListNotifications(h.ctx, inbox); return err }, codes.Unauthenticated, "UNAUTHENTICATED"},
		{"eve lists tom's inbox", func() error { _, err := h.api.ListNotifications(eve, inbox); return err }, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"maria lists tom's inbox", func() error { _, err := h.api.ListNotifications(maria, inbox); return err }, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"a service lists tom's inbox", func() error { _, err := h.api.ListNotifications(service, inbox); return err }, codes.PermissionDenied, "NOT_ALLOWED_FOR_ROLE"},
		{"eve marks tom's inbox read", func() error { _, err := h.api.MarkNotificationsRead(eve, markAll); return err }, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"eve sets tom's address", func() error {
			_, err := h.api.UpsertRecipient(eve, &notificationsv1.UpsertRecipientRequest{Recipient: &notificationsv1.Recipient{UserId: "mentee-tom", Email: "eve@example.com"}})
			return err
		}, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"admin lists tom's inbox", func() error { _, err := h.api.ListNotifications(admin, inbox); return err }, codes.OK, ""},
		{"tom reads the thread as himself", func() error { _, err := h.api.GetBookingThread(tom, thread); return err }, codes.OK, ""},
		{"tom reads the thread naming maria", func() error {
			_, err := h.api.GetBookingThread(tom, &notificationsv1.GetBookingThreadRequest{BookingId: b.Id, UserId: "mentor-maria"})
			return err
		}, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"another mentor reads the thread", func() error { _, err := h.api.GetBookingThread(stranger, thread); return err }, codes.NotFound, "BOOKING_NOT_FOUND"},
		{"a stranger names tom", func() error {
			_, err := h.api.GetBookingThread(eve, &notificationsv1.GetBookingThreadRequest{BookingId: b.Id, UserId: "mentee-tom"})
			return err
		}, codes.PermissionDenied, "NOT_YOUR_RESOURCE"},
		{"admin reads the thread", func() error { _, err := h.api.GetBookingThread(admin, thread); return err }, codes.OK, ""},
		{"maria replies as the mentee", func() error {
			_, err := h.api.ReplyToThread(maria, &notificationsv1.ReplyToThreadRequest{BookingId: b.Id, Text: "x"})
			return err
		}, codes.PermissionDenied, "NOT_THE_MENTEE"},
		{"tom lists the dev mailbox", func() error {
			_, err := h.api.ListDevMailboxMessages(tom, &notificationsv1.ListDevMailboxMessagesRequest{})
			return err
		}, codes.PermissionDenied, "NOT_ALLOWED_FOR_ROLE"},
		{"admin lists the dev mailbox", func() error {
			_, err := h.api.ListDevMailboxMessages(admin, &notificationsv1.ListDevMailboxMessagesRequest{})
			return err
		}, codes.OK, ""},
	} {
		if err := c.call(); status.Code(err) != c.code || reasonOf(err) != c.reason {
			t.Errorf("%s: %v (%s), want %v %s", c.name, err, reasonOf(err), c.code, c.reason)
		}
	}
	// Nothing the refused calls asked for happened.
	if in := h.inbox("mentee-tom"); in.UnreadCount != 1 {
		t.Errorf("tom has %d unread after others tried to mark them, want 1", in.UnreadCount)
	}
	if n := h.count(`SELECT count(*) FROM recipients`); n != 0 {
		t.Errorf("%d recipients after a refused upsert", n)
	}
	// The reply's author is the caller, not a field of the request.
	r, err := h.api.ReplyToThread(tom, &notificationsv1.ReplyToThreadRequest{BookingId: b.Id, Text: "Thanks"})
	if err != nil || r.GetMessage().GetAuthorId() != "mentee-tom" {
		t.Fatalf("tom's reply: %v %v", r, err)
	}
}
