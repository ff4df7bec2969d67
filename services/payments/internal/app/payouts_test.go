package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// TestMentorPayoutsListEveryPayableAmountNewestFirst: a held session, a late
// cancellation fee and a used bundle credit each show up once, with what the
// mentor gets and the commission; a manual payment (paid to the mentor
// directly), a refunded cancellation and another mentor's payout do not.
func TestMentorPayoutsListEveryPayableAmountNewestFirst(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	paid := func(booking string, amount int64) {
		t.Helper()
		must(e.svc.Authorize(ctx, cardOpen(booking, amount), booking+"-auth"))
		must(e.svc.Capture(ctx, booking, booking+"-cap"))
	}
	// 1. a held session
	paid("held", 10000)
	must(e.svc.ReleasePayout(ctx, "held", "held-rel"))
	// 2. a late mentee cancellation
	paid("late", 5000)
	must(e.svc.SettleCancellation(ctx, "late", domain.Cancellation{By: domain.ByMentee, SessionStart: sessionStart, CancelledAt: sessionStart.Add(-time.Hour)}, "late-settle"))
	// not a payout: cancelled in time, refunded in full
	paid("early", 5000)
	must(e.svc.SettleCancellation(ctx, "early", domain.Cancellation{By: domain.ByMentee, SessionStart: sessionStart, CancelledAt: sessionStart.Add(-48 * time.Hour)}, "early-settle"))
	// not a payout: a manual payment went to the mentor directly
	must(e.svc.Authorize(ctx, manualOpen("manual", 3000), "manual-auth"))
	must(e.svc.MarkPaid(ctx, "manual", "mentor-1", "manual-paid"))
	must(e.svc.ReleasePayout(ctx, "manual", "manual-rel"))
	// not this mentor's
	other := cardOpen("other", 7000)
	other.MentorID = "mentor-2"
	must(e.svc.Authorize(ctx, other, "other-auth"))
	must(e.svc.Capture(ctx, "other", "other-cap"))
	must(e.svc.ReleasePayout(ctx, "other", "other-rel"))
	// 3. a bundle session
	e.approve(t, "mentor-1", "mentee-1")
	b, err := e.svc.BuyBundle(ctx, domain.BundleOrder{MenteeID: "mentee-1", MentorID: "mentor-1", Sessions: 3, Price: 2000, Currency: "USD", Card: simcard.CardSuccess}, "buy")
	must(b, err)
	must(e.svc.UseBundleCredit(ctx, b.ID, "bundled", "bundled-use"))

	got, next, err := e.svc.MentorPayouts(ctx, "mentor-1", 0, "")
	if err != nil || next != "" {
		t.Fatalf("payouts: %v, next %q", err, next)
	}
	want := []domain.Payout{
		{BookingID: "bundled", BundleID: b.ID, Kind: domain.PayoutBundleSession, Amount: 1800, Commission: 200, Currency: "USD"},
		{BookingID: "late", Kind: domain.PayoutLateCancellation, Amount: 4500, Commission: 500, Currency: "USD"},
		{BookingID: "held", Kind: domain.PayoutSession, Amount: 9000, Commission: 1000, Currency: "USD"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d payouts, want %d: %+v", len(got), len(want), got)
	}
	var sum int64
	for i, w := range want {
		g := got[i]
		if g.BookingID != w.BookingID || g.BundleID != w.BundleID || g.Kind != w.Kind || g.Amount != w.Amount ||
			g.Commission != w.Commission || g.Currency != w.Currency || g.DueAt.IsZero() {
			t.Errorf("payout %d: got %+v, want %+v", i, g, w)
		}
		sum += g.Amount
	}
	// The payouts account for the whole payable balance.
	if bal := e.balance(t, domain.AccountMentorPayable, "mentor-1"); bal != sum {
		t.Fatalf("payouts sum to %d, payable balance is %d", sum, bal)
	}

	// Pages of two, then one; the pages together are the whole list.
	p1, tok, err := e.svc.MentorPayouts(ctx, "mentor-1", 2, "")
	if err != nil || len(p1) != 2 || tok == "" || p1[0].BookingID != "bundled" || p1[1].BookingID != "late" {
		t.Fatalf("page 1: %+v %q %v", p1, tok, err)
	}
	p2, tok2, err := e.svc.MentorPayouts(ctx, "mentor-1", 2, tok)
	if err != nil || len(p2) != 1 || tok2 != "" || p2[0].BookingID != "held" {
		t.Fatalf("page 2: %+v %q %v", p2, tok2, err)
	}

	if none, _, err := e.svc.MentorPayouts(ctx, "nobody", 0, ""); err != nil || len(none) != 0 {
		t.Fatalf("a mentor without payouts: %+v %v", none, err)
	}
	for name, call := range map[string]func() error{
		"bad token":    func() error { _, _, err := e.svc.MentorPayouts(ctx, "mentor-1", 0, "not-a-token"); return err },
		"huge page":    func() error { _, _, err := e.svc.MentorPayouts(ctx, "mentor-1", 1000, ""); return err },
		"no mentor id": func() error { _, _, err := e.svc.MentorPayouts(ctx, "", 0, ""); return err },
	} {
		if err := call(); !errors.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
