// Package app holds the notifications context's use cases: turning booking
// and payment events into inbox items and queued emails, reading and marking the inbox,
// the booking thread, the address book and the development mailbox.
package app

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/render"
)

// The application's errors.
var (
	ErrBookingNotFound      = apperr.New(apperr.KindNotFound, "BOOKING_NOT_FOUND", "no such booking")
	ErrNotificationNotFound = apperr.New(apperr.KindNotFound, "NOTIFICATION_NOT_FOUND", "no such notification")
	ErrRecipientNotFound    = apperr.New(apperr.KindNotFound, "RECIPIENT_NOT_FOUND", "no such recipient")
	ErrNotTheMentee         = apperr.New(apperr.KindPermissionDenied, "NOT_THE_MENTEE", "only the booking's mentee can reply on its thread")
)

// Tx is what the use cases write inside one transaction.
type Tx interface {
	SaveBooking(ctx context.Context, b domain.Booking) error
	// Booking returns the latest snapshot of a booking, or ErrBookingNotFound.
	Booking(ctx context.Context, id string) (domain.Booking, error)
	Recipients(ctx context.Context, ids ...string) (map[string]domain.Recipient, error)
	AddNotification(ctx context.Context, n domain.Notification, e *domain.Email) (bool, error)
	AddThreadMessage(ctx context.Context, m domain.ThreadMessage) (bool, error)
}

// ListQuery is one page of an inbox.
type ListQuery struct {
	UserID     string
	UnreadOnly bool
	Before     time.Time // with BeforeID: only notifications older than this one
	BeforeID   string
	Limit      int
}

// Store is the storage the use cases need.
type Store interface {
	InTx(ctx context.Context, fn func(Tx) error) error
	Booking(ctx context.Context, id string) (domain.Booking, error)
	UpsertRecipient(ctx context.Context, r domain.Recipient) error
	ListNotifications(ctx context.Context, q ListQuery) ([]domain.Notification, error)
	UnreadCount(ctx context.Context, userID string) (int, error)
	MarkRead(ctx context.Context, userID, id string, at time.Time) (int, error)
	Thread(ctx context.Context, bookingID string) ([]domain.ThreadMessage, error)
	ThreadMessage(ctx context.Context, id string) (domain.ThreadMessage, error)
	DevMailbox(ctx context.Context, to string, limit int) ([]domain.DevMessage, error)
	// Resend queues a copy of the email of notification notificationID as
	// emailID, logging note on both, unless emailID exists; it returns
	// emailID's delivery. ErrNotificationNotFound when the notification has
	// no email.
	Resend(ctx context.Context, notificationID, emailID, note string) (domain.Delivery, error)
}

// Service is the notifications context's use cases.
type Service struct {
	Store    Store
	Renderer *render.Renderer
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

func (a *Service) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// namespace derives notification, email and thread message ids from the
// facts they come from, so handling a fact twice cannot add anything twice.
var namespace = uuid.MustParse("5b0f7e53-3d0a-4a57-9a43-6f1f0c1e8a10")

func derivedID(parts ...string) string {
	b := []byte{}
	for _, p := range parts {
		b = append(b, p...)
		b = append(b, 0)
	}
	return uuid.NewSHA1(namespace, b).String()
}
