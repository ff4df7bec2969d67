package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
)

// The contract of app.Store, app.Tx and mailer.Queue, checked against real
// Postgres: what the use cases and the sender rely on the store for.

var t0 = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func newStore(t *testing.T) *postgres.Store {
	t.Helper()
	pool, err := pgdb.Open(context.Background(), pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return postgres.NewStore(pool)
}

func inTx(t *testing.T, s app.Store, fn func(tx app.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// A booking's snapshot is the newest version heard, whatever the order.
func TestTheNewestBookingSnapshotIsKept(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Booking(ctx, "b1"); !errors.Is(err, app.ErrBookingNotFound) {
		t.Fatalf("never heard of: %v, want BOOKING_NOT_FOUND", err)
	}
	save := func(version int64, status string) {
		inTx(t, s, func(tx app.Tx) error {
			return tx.SaveBooking(ctx, domain.Booking{ID: "b1", MentorID: "mo", MenteeID: "ann", Version: version, Status: status})
		})
	}
	save(2, "CONFIRMED")
	save(1, "PENDING") // late
	if b, err := s.Booking(ctx, "b1"); err != nil || b.Status != "CONFIRMED" || b.Version != 2 {
		t.Fatalf("snapshot %+v, %v; want version 2", b, err)
	}
}

// A notification is added once, with its email; the inbox lists it newest
// first until it is read.
func TestANotificationIsAddedOnceAndReadOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	add := func(id string, at time.Time) (added bool) {
		inTx(t, s, func(tx app.Tx) (err error) {
			added, err = tx.AddNotification(ctx, domain.Notification{ID: id, UserID: "ann", Kind: "booking.approved", BookingID: "b1",
				Title: "Approved", CreatedAt: at}, &domain.Email{ID: uuid.NewString(), To: "ann@example.com", Subject: "Approved"})
			return err
		})
		return added
	}
	first, second := uuid.NewString(), uuid.NewString()
	if !add(first, t0) || add(first, t0) {
		t.Fatal("a notification was added other than once")
	}
	add(second, t0.Add(time.Minute))
	list, err := s.ListNotifications(ctx, app.ListQuery{UserID: "ann", Limit: 10})
	if err != nil || len(list) != 2 || list[0].ID != second || list[0].Email == nil || list[0].Email.Status != domain.EmailQueued {
		t.Fatalf("inbox %+v, %v; want two, newest first, with their emails queued", list, err)
	}
	if n, err := s.MarkRead(ctx, "ann", first, t0); err != nil || n != 1 {
		t.Fatalf("mark read: %d, %v", n, err)
	}
	if n, _ := s.MarkRead(ctx, "ann", first, t0.Add(time.Minute)); n != 0 {
		t.Fatalf("marked read twice: %d", n)
	}
	if _, err := s.MarkRead(ctx, "bob", second, t0); !errors.Is(err, app.ErrNotificationNotFound) {
		t.Fatalf("bob marking ann's notification read: %v, want NOTIFICATION_NOT_FOUND", err)
	}
	if n, err := s.UnreadCount(ctx, "ann"); err != nil || n != 1 {
		t.Fatalf("unread %d, %v; want 1", n, err)
	}
}

// An email is claimed by one sender at a time, and retried or given up on
// as the sender says.
func TestAQueuedEmailIsClaimedOnceAndRetriedAsTold(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	email := uuid.NewString()
	inTx(t, s, func(tx app.Tx) error {
		_, err := tx.AddNotification(ctx, domain.Notification{ID: uuid.NewString(), UserID: "ann", Kind: "booking.approved", CreatedAt: t0},
			&domain.Email{ID: email, To: "ann@example.com", Subject: "Approved", Text: "hello"})
		return err
	})
	claimed, err := s.ClaimDue(ctx, 10, time.Hour)
	if err != nil || len(claimed) != 1 || claimed[0].ID != email || claimed[0].Attempt != 1 {
		t.Fatalf("claimed %+v, %v; want the email, first attempt", claimed, err)
	}
	if again, _ := s.ClaimDue(ctx, 10, time.Hour); len(again) != 0 {
		t.Fatalf("a claimed email was claimed again during its lease: %+v", again)
	}
	if err := s.MarkFailed(ctx, email, 1, "server busy", time.Now().Add(-time.Second), false); err != nil {
		t.Fatal(err)
	}
	retry, err := s.ClaimDue(ctx, 10, time.Hour)
	if err != nil || len(retry) != 1 || retry[0].Attempt != 2 {
		t.Fatalf("retry %+v, %v; want the second attempt", retry, err)
	}
	// Only the latest claim may record the hand-over.
	if held, err := s.MarkSent(ctx, email, 1); err != nil || held {
		t.Fatalf("the first attempt's hand-over after a second claim: %v, %v; want refused", held, err)
	}
	if held, err := s.MarkSent(ctx, email, 2); err != nil || !held {
		t.Fatalf("the second attempt's hand-over: %v, %v", held, err)
	}
	if held, err := s.MarkSent(ctx, email, 2); err != nil || held {
		t.Fatalf("a second hand-over of a sent email: %v, %v; want refused", held, err)
	}
	log, err := s.DeliveryLog(ctx, email)
	if err != nil || len(log) != 3 || log[0].Status != "queued" || log[1].Status != "retry" || log[2].Status != "sent" {
		t.Fatalf("delivery log %+v, %v; want queued, retry, sent", log, err)
	}
}

// A thread message is added once; the thread reads oldest first.
func TestAThreadMessageIsAddedOnce(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	m := domain.ThreadMessage{ID: uuid.NewString(), BookingID: "b1", AuthorRole: domain.RoleMentee, AuthorID: "ann", Text: "thanks", CreatedAt: t0}
	for i, want := range []bool{true, false} {
		inTx(t, s, func(tx app.Tx) error {
			added, err := tx.AddThreadMessage(ctx, m)
			if err == nil && added != want {
				t.Errorf("adding the message, time %d: added %v", i+1, added)
			}
			return err
		})
	}
	if th, err := s.Thread(ctx, "b1"); err != nil || len(th) != 1 || th[0].Text != "thanks" || th[0].AuthorRole != domain.RoleMentee {
		t.Fatalf("thread %+v, %v", th, err)
	}
}
