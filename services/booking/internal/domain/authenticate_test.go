package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

func awaiting(t *testing.T) *domain.Booking {
	t.Helper()
	b, err := domain.NewBooking("b-3ds", domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "o",
		Start: t0.Add(10 * 24 * time.Hour), PaymentMethod: domain.PaymentCard}, domain.DefaultPolicy(), t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.ApplyOffering(domain.Offering{Kind: domain.OfferingPaid, Duration: time.Hour,
		Price: domain.Money{Currency: "EUR", Amount: 5000}}); err != nil {
		t.Fatal(err)
	}
	if err := b.AwaitAuthentication(domain.PaymentAction{ClientSecret: "cs", RedirectURL: "https://sim/1"}); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestACardAwaitingAuthenticationWaitsFifteenMinutesThenTheMenteeEndedIt(t *testing.T) {
	b := awaiting(t)
	s := b.Snapshot()
	if s.Status != domain.StatusAwaitingAuthentication || !s.ExpiresAt.Equal(t0.Add(15*time.Minute)) ||
		s.PaymentAction == nil || !s.PaymentAction.ExpiresAt.Equal(s.ExpiresAt) {
		t.Fatalf("awaiting = %s until %s, action %+v", s.Status, s.ExpiresAt, s.PaymentAction)
	}
	// The mentor may neither act on it nor see the client secret.
	if err := b.CheckApprove(mentor, time.Time{}); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("approve while awaiting: %v", err)
	}
	if b.VisibleTo(mentor).PaymentAction() != nil || b.VisibleTo(mentee).PaymentAction() == nil {
		t.Fatal("only the mentee sees the payment action")
	}
	if b.CheckAuthenticationExpire(t0.Add(14*time.Minute)) || !b.CheckAuthenticationExpire(t0.Add(15*time.Minute)) {
		t.Fatal("the authentication timeout is 15 minutes")
	}
	if err := b.PaymentLost(domain.ReasonAuthenticationTimeout, domain.Payment{Status: domain.PaymentStatusRefunded}, t0.Add(15*time.Minute)); err != nil {
		t.Fatal(err)
	}
	s = b.Snapshot()
	if s.Status != domain.StatusExpired || s.Outcome.EndedBy != domain.RoleMentee || s.PaymentAction != nil ||
		s.Outcome.Money != "Nothing was charged: the card payment was never authenticated." {
		t.Fatalf("after the timeout: %s %+v", s.Status, s.Outcome)
	}
}

func TestAnAuthenticatedRequestGetsItsWindowFromNowCappedBeforeItsHoldLapses(t *testing.T) {
	b := awaiting(t)
	system := domain.System
	if err := b.CheckPaymentReport(mentee, domain.PaymentReport{Kind: domain.ReportAuthenticated}); err == nil {
		t.Fatal("only bookwell reports the processor's word")
	}
	at := t0.Add(5 * time.Minute)
	lapses := at.Add(3 * 24 * time.Hour) // a hold shorter than the 7-day window
	if err := b.CheckPaymentReport(system, domain.PaymentReport{Kind: domain.ReportAuthenticated}); err != nil {
		t.Fatal(err)
	}
	if err := b.Authenticated(lapses, at); err != nil {
		t.Fatal(err)
	}
	s := b.Snapshot()
	if s.Status != domain.StatusPending || s.PaymentStatus != domain.PaymentStatusAuthorized || s.PaymentAction != nil {
		t.Fatalf("authenticated = %s / %s", s.Status, s.PaymentStatus)
	}
	if !s.ExpiresAt.Equal(lapses.Add(-time.Hour)) {
		t.Fatalf("expires at %s, want an hour before the hold lapses at %s", s.ExpiresAt, lapses)
	}
	// A second report of the same authentication changes nothing.
	if err := b.CheckPaymentReport(system, domain.PaymentReport{Kind: domain.ReportAuthenticated}); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("authenticated twice: %v", err)
	}
}

func TestAShortHoldKeepsATenthOfItsLifeAsMargin(t *testing.T) {
	b := pending(t)
	b.CapToHold(t0.Add(90*time.Second), t0)
	if got := b.Snapshot().ExpiresAt; !got.Equal(t0.Add(81 * time.Second)) {
		t.Fatalf("expires at %s, want 81 s after the request", got)
	}
	long := pending(t)
	long.CapToHold(t0.Add(30*24*time.Hour), t0) // outlives the window: no change
	if got := long.Snapshot().ExpiresAt; !got.Equal(t0.Add(7 * 24 * time.Hour)) {
		t.Fatalf("expires at %s, want the 7-day window", got)
	}
}

func TestRefundsAndDisputesReportedByTheProcessorCountOnce(t *testing.T) {
	b := pending(t)
	system := domain.System
	r := domain.PaymentReport{Kind: domain.ReportRefunded, Refunded: 2000, Status: domain.PaymentStatusPartiallyRefunded}
	if err := b.CheckPaymentReport(system, r); err != nil {
		t.Fatal(err)
	}
	if !b.RefundedOutside(2000, r.Status, t0) || b.RefundedOutside(2000, r.Status, t0) {
		t.Fatal("a refund is recorded once")
	}
	if err := b.CheckPaymentReport(system, r); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("the same refund again: %v", err)
	}
	if !b.Disputed(t0) || b.Disputed(t0) || !b.Snapshot().PaymentDisputed {
		t.Fatal("a dispute is recorded once")
	}
}
