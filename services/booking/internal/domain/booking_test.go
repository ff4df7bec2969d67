package domain_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var (
	t0     = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	mentor = domain.Actor{ID: "mentor-grace", Role: domain.RoleMentor}
	mentee = domain.Actor{ID: "mentee-ada", Role: domain.RoleMentee}
)

func pending(t *testing.T) *domain.Booking {
	t.Helper()
	b, err := domain.NewBooking("b-1", domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "o",
		Start: t0.Add(10 * 24 * time.Hour), PaymentMethod: domain.PaymentCard}, domain.DefaultPolicy(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ApplyOffering(domain.Offering{Kind: domain.OfferingPaid, Duration: time.Hour,
		Price: domain.Money{Currency: "EUR", Amount: 5000}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Requested(domain.PaymentStatusAuthorized); err != nil {
		t.Fatal(err)
	}
	return b
}

// Every command checks its own rule when it applies, not only in the
// validator: a refused command returns the reason and leaves the booking as
// it was.
func TestEveryCommandRefusesWhatItsRuleRefusesAndChangesNothing(t *testing.T) {
	paid := domain.Approved{Payment: domain.PaymentStatusPaid}
	for _, c := range []struct {
		name  string
		apply func(b *domain.Booking) error
		want  error
	}{
		{"reject without a reason", func(b *domain.Booking) error {
			return b.Reject(mentor, " ", domain.Payment{}, t0)
		}, apperr.Invalid},
		{"reject by the mentee", func(b *domain.Booking) error {
			return b.Reject(mentee, "no", domain.Payment{}, t0)
		}, domain.ErrNotAllowedForRole},
		{"approve by another mentor", func(b *domain.Booking) error {
			return b.Approve(domain.Actor{ID: "mentor-linus", Role: domain.RoleMentor}, time.Time{}, paid, t0)
		}, domain.ErrNotYourBooking},
		{"approve at another time", func(b *domain.Booking) error {
			return b.Approve(mentor, t0.Add(11*24*time.Hour), paid, t0)
		}, apperr.Invalid},
		{"expire before the window ends", func(b *domain.Booking) error {
			return b.Expire(domain.Payment{}, t0.Add(24*time.Hour))
		}, domain.ErrWrongState},
		{"accept with no proposal", func(b *domain.Booking) error {
			return b.AcceptProposal(mentee, paid, t0)
		}, domain.ErrWrongState},
		{"propose a past time", func(b *domain.Booking) error {
			return b.Propose(mentor, t0.Add(-time.Hour), "", t0)
		}, apperr.Invalid},
		{"mark paid a card payment", func(b *domain.Booking) error { return b.MarkPaid(mentor, t0) }, domain.ErrNotManual},
		{"complete before the session", func(b *domain.Booking) error {
			return b.Complete(mentor, t0, t0)
		}, domain.ErrWrongState},
		{"refund an authorization", func(b *domain.Booking) error {
			return b.Refund(mentor, 0, domain.Payment{}, t0)
		}, domain.ErrNothingToRefund},
		{"request twice", func(b *domain.Booking) error { return b.Requested(domain.PaymentStatusAuthorized) }, domain.ErrWrongState},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := pending(t)
			before := b.Snapshot()
			if err := c.apply(b); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if !reflect.DeepEqual(b.Snapshot(), before) {
				t.Fatalf("a refused command changed the booking:\n%+v\n%+v", b.Snapshot(), before)
			}
		})
	}
}

// A request expires after the approval window, or at the session start if
// that comes first, with the money given back.
func TestARequestExpiresAfterItsWindowOrAtTheSessionStart(t *testing.T) {
	b := pending(t)
	if due := b.Snapshot().ExpiresAt; !due.Equal(t0.Add(7 * 24 * time.Hour)) {
		t.Fatalf("expires at %s, want 7 days after the request", due)
	}
	if err := b.Expire(domain.Payment{Status: domain.PaymentStatusRefunded}, t0.Add(7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	s := b.Snapshot()
	if s.Status != domain.StatusExpired || s.Outcome.EndedBy != domain.RoleSystem || s.Outcome.Money == "" {
		t.Fatalf("after expiry: %s %+v", s.Status, s.Outcome)
	}

	soon, err := domain.NewBooking("b-2", domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "o",
		Start: t0.Add(18 * time.Hour)}, domain.DefaultPolicy(), t0)
	if err != nil {
		t.Fatal(err)
	}
	_ = soon.ApplyOffering(domain.Offering{Duration: time.Hour})
	_ = soon.Requested(domain.PaymentStatusNone)
	if due := soon.Snapshot().ExpiresAt; !due.Equal(t0.Add(18 * time.Hour)) {
		t.Fatalf("expires at %s, want the session start", due)
	}
}

// A booking copied out and rebuilt is the same booking, and the copy does
// not share its slices or maps.
func TestASnapshotRestoresTheSameBookingAndSharesNothing(t *testing.T) {
	b := pending(t)
	s := b.Snapshot()
	if !reflect.DeepEqual(domain.Restore(s).Snapshot(), s) {
		t.Fatal("restore changed the booking")
	}
	s.Attendees = append(s.Attendees, "Eve")
	s.Status = domain.StatusCancelled
	if b.Status() != domain.StatusPending || len(b.Snapshot().Attendees) != 0 {
		t.Fatal("changing a snapshot changed the booking")
	}
}
