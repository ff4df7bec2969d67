package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

func TestCardLifecycleMovesMoneyThroughEscrow(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	p, err := e.svc.Authorize(ctx, cardOpen("b1", 12000), "auth-b1")
	if err != nil || p.Status != domain.StatusAuthorized || p.CardLast4 != "4242" {
		t.Fatalf("authorize: %+v %v", p, err)
	}
	if e.ledgerEntries(t) != 0 {
		t.Fatal("authorizing moved money")
	}
	if p, err = e.svc.Capture(ctx, "b1", "cap-b1"); err != nil || p.Status != domain.StatusPaid {
		t.Fatalf("capture: %+v %v", p, err)
	}
	if got := e.balance(t, domain.AccountEscrow, "b1"); got != 12000 {
		t.Fatalf("escrow %d after capture", got)
	}
	if p, err = e.svc.Refund(ctx, "b1", 2000, "late start", "ref-b1"); err != nil || p.Status != domain.StatusPartiallyRefunded {
		t.Fatalf("refund: %+v %v", p, err)
	}
	if p, err = e.svc.ReleasePayout(ctx, "b1", "rel-b1"); err != nil || !p.Released || p.Commission != 1000 {
		t.Fatalf("release: %+v %v", p, err)
	}
	bal, err := e.svc.MentorBalances(ctx, "mentor-1")
	if err != nil || len(bal) != 1 || bal[0] != (domain.MentorBalance{Currency: "USD", Payable: 9000}) {
		t.Fatalf("balance %+v %v", bal, err)
	}
	if got := e.balance(t, domain.AccountRevenue, ""); got != 1000 {
		t.Fatalf("revenue %d", got)
	}
	got, err := e.svc.Payment(ctx, "b1")
	if err != nil || len(got.Refunds) != 1 || got.Refunds[0].Note != "late start" || got.Refunded != 2000 {
		t.Fatalf("payment %+v %v", got, err)
	}
	e.checkLedger(t)
}

func TestVoidNeverChargesTheMentee(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 5000), "a"); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Void(ctx, "b1", "v")
	if err != nil || p.Status != domain.StatusVoided {
		t.Fatalf("void: %+v %v", p, err)
	}
	if _, err := e.svc.Capture(ctx, "b1", "c"); !errors.Is(err, domain.ErrWrongState) {
		t.Fatalf("capture after void: %v", err)
	}
	if e.ledgerEntries(t) != 0 || e.balance(t, domain.AccountMentee, "mentee-1") != 0 {
		t.Fatal("a voided payment moved money")
	}
	var status string
	if err := e.sim.QueryRow(ctx, `SELECT status FROM simcard_charges WHERE id = $1`, p.ProviderRef).Scan(&status); err != nil || status != "voided" {
		t.Fatalf("processor hold %s %v", status, err)
	}
}

func TestManualPaymentMarkedByTheMentorOnly(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	p, err := e.svc.Authorize(ctx, manualOpen("b1", 4000), "a")
	if err != nil || p.Status != domain.StatusUnpaid {
		t.Fatalf("%+v %v", p, err)
	}
	if _, err := e.svc.MarkPaid(ctx, "b1", "mentor-2", "mp-other"); !errors.Is(err, domain.ErrNotBookingMentor) {
		t.Fatalf("another mentor marks paid: %v", err)
	}
	if _, err := e.svc.MarkPaid(ctx, "b1", "mentee-1", "mp-mentee"); !errors.Is(err, domain.ErrNotBookingMentor) {
		t.Fatalf("the mentee marks paid: %v", err)
	}
	if e.ledgerEntries(t) != 0 {
		t.Fatal("a refused mark-paid moved money")
	}
	if p, err = e.svc.MarkPaid(ctx, "b1", "mentor-1", "mp"); err != nil || p.Status != domain.StatusPaid {
		t.Fatalf("mark paid: %+v %v", p, err)
	}
	if _, err := e.svc.Refund(ctx, "b1", 0, "", "r"); !errors.Is(err, domain.ErrWrongMethod) {
		t.Fatalf("card refund of a manual payment: %v", err)
	}
	if _, err := e.svc.MarkRefunded(ctx, "b1", "mentor-2", "", "mr-other"); !errors.Is(err, domain.ErrNotBookingMentor) {
		t.Fatalf("another mentor marks refunded: %v", err)
	}
	if p, err = e.svc.MarkRefunded(ctx, "b1", "mentor-1", "sent back by bank", "mr"); err != nil || p.Status != domain.StatusRefunded {
		t.Fatalf("mark refunded: %+v %v", p, err)
	}
	if got := e.balance(t, domain.AccountMentorDirect, "mentor-1"); got != 0 {
		t.Fatalf("mentor direct %d after refund", got)
	}
	e.checkLedger(t)
}

func TestCardDeclinesMoveNoMoneyAndAreRemembered(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	for card, want := range map[string]error{
		simcard.CardDeclined:          domain.ErrCardDeclined,
		simcard.CardInsufficientFunds: domain.ErrInsufficientFunds,
		"4242424242424241":            domain.ErrInvalidCard,
	} {
		o := cardOpen("b-"+card, 1000)
		o.Card = card
		for range 2 { // the retry gets the same answer
			if _, err := e.svc.Authorize(ctx, o, "k-"+card); !errors.Is(err, want) {
				t.Fatalf("card %s: %v, want %v", card, err, want)
			}
		}
		if _, err := e.svc.Payment(ctx, o.BookingID); !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("a declined card opened a payment: %v", err)
		}
	}
	if e.ledgerEntries(t) != 0 || e.scalar(t, `SELECT count(*) FROM simcard_charges`) != 0 {
		t.Fatal("declines moved money")
	}
}

func TestBadInputIsRefusedAndChangesNothing(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	if _, err := e.svc.Authorize(ctx, cardOpen("b1", 1000), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Capture(ctx, "b1", "c"); err != nil {
		t.Fatal(err)
	}
	lines := e.ledgerEntries(t)
	bad := func(o domain.Open) domain.Open { return o }
	for name, c := range map[string]struct {
		call func() error
		want error
	}{
		"zero amount":     {func() error { o := bad(cardOpen("b2", 0)); _, err := e.svc.Authorize(ctx, o, "x1"); return err }, apperr.Invalid},
		"negative amount": {func() error { _, err := e.svc.Authorize(ctx, cardOpen("b2", -5), "x2"); return err }, apperr.Invalid},
		"unknown currency": {func() error {
			o := cardOpen("b2", 100)
			o.Currency = "XYZ"
			_, err := e.svc.Authorize(ctx, o, "x3")
			return err
		}, apperr.Invalid},
		"no key": {func() error { _, err := e.svc.Capture(ctx, "b1", ""); return err }, apperr.Invalid},
		"refund above captured": {func() error { _, err := e.svc.Refund(ctx, "b1", 1001, "", "x4"); return err },
			domain.ErrRefundExceedsCaptured},
		"negative refund": {func() error { _, err := e.svc.Refund(ctx, "b1", -1, "", "x5"); return err }, apperr.Invalid},
		"second payment for a booking": {func() error { _, err := e.svc.Authorize(ctx, cardOpen("b1", 1000), "x6"); return err },
			domain.ErrAlreadyExists},
		"unknown booking": {func() error { _, err := e.svc.Capture(ctx, "nope", "x7"); return err }, domain.ErrNotFound},
		"capture twice":   {func() error { _, err := e.svc.Capture(ctx, "b1", "x8"); return err }, domain.ErrWrongState},
		"key reused for another request": {func() error { _, err := e.svc.Refund(ctx, "b1", 10, "", "c"); return err },
			domain.ErrIdempotencyKeyReused},
	} {
		if err := c.call(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if e.ledgerEntries(t) != lines {
		t.Fatal("bad input moved money")
	}
	if p, _ := e.svc.Payment(ctx, "b1"); p.Refunded != 0 || p.Status != domain.StatusPaid {
		t.Fatalf("bad input changed the payment: %+v", p)
	}
}

func TestSettleCancellationAppliesPolicy(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	for _, b := range []string{"early", "late", "mentor"} {
		if _, err := e.svc.Authorize(ctx, cardOpen(b, 10000), "a-"+b); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Capture(ctx, b, "c-"+b); err != nil {
			t.Fatal(err)
		}
	}
	settle := func(b string, by domain.CancelledBy, ahead time.Duration) domain.Payment {
		p, err := e.svc.SettleCancellation(ctx, b, domain.Cancellation{By: by, SessionStart: sessionStart, CancelledAt: sessionStart.Add(-ahead)}, "s-"+b)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	if p := settle("early", domain.ByMentee, 25*time.Hour); p.Settlement != domain.SettlementFullRefund || p.Refunded != 10000 {
		t.Fatalf("early: %+v", p)
	}
	if p := settle("late", domain.ByMentee, 2*time.Hour); p.Settlement != domain.SettlementMentorPaid || !p.Released || p.Refunded != 0 {
		t.Fatalf("late: %+v", p)
	}
	if p := settle("mentor", domain.ByMentor, 2*time.Hour); p.Settlement != domain.SettlementFullRefund || p.Refunded != 10000 {
		t.Fatalf("mentor: %+v", p)
	}
	if got := e.balance(t, domain.AccountMentorPayable, "mentor-1"); got != 9000 {
		t.Fatalf("mentor payable %d, want 9000 (the late one, minus 10%%)", got)
	}
	if got := -e.balance(t, domain.AccountMentee, "mentee-1"); got != 10000 {
		t.Fatalf("mentee paid %d net, want 10000", got)
	}
	e.checkLedger(t)
}

// The booking's policy (the marketplace version it was requested under)
// decides, not payments' own: a mentor's 48-hour notice and a 25 %
// commission make a cancellation 30 hours ahead late, paid minus 25 %.
func TestSettleCancellationAppliesTheBookingsPolicyNotItsOwn(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	for _, b := range []string{"late", "early"} {
		if _, err := e.svc.Authorize(ctx, cardOpen(b, 10000), "a-"+b); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Capture(ctx, b, "c-"+b); err != nil {
			t.Fatal(err)
		}
	}
	booking := &domain.Policy{CommissionBps: 2500, FullRefundNotice: 48 * time.Hour}
	p, err := e.svc.SettleCancellation(ctx, "late", domain.Cancellation{By: domain.ByMentee, SessionStart: sessionStart,
		CancelledAt: sessionStart.Add(-30 * time.Hour), Decided: domain.SettlementMentorPaid, Policy: booking}, "s-late")
	if err != nil {
		t.Fatal(err)
	}
	if p.Settlement != domain.SettlementMentorPaid || p.Commission != 2500 {
		t.Fatalf("late under the booking's policy: %+v", p)
	}
	if got := e.balance(t, domain.AccountMentorPayable, "mentor-1"); got != 7500 {
		t.Fatalf("mentor payable %d, want 7500 (minus the booking's 25%%)", got)
	}
	// An early cancellation the booking decided is a full refund says so.
	p, err = e.svc.SettleCancellation(ctx, "early", domain.Cancellation{SessionStart: sessionStart,
		CancelledAt: sessionStart.Add(-72 * time.Hour), Decided: domain.SettlementFullRefund, Policy: booking}, "s-early")
	if err != nil {
		t.Fatal(err)
	}
	if p.Settlement != domain.SettlementFullRefund || p.Refunded != 10000 {
		t.Fatalf("early: %+v", p)
	}
	// A commission that cannot be is refused, nothing settled.
	bad := &domain.Policy{CommissionBps: 20000, FullRefundNotice: time.Hour}
	if _, err := e.svc.SettleCancellation(ctx, "late", domain.Cancellation{By: domain.ByMentee, SessionStart: sessionStart,
		CancelledAt: sessionStart.Add(-time.Hour), Policy: bad}, "s-bad"); !errors.Is(err, apperr.Invalid) {
		t.Fatalf("a commission of 200%%: %v", err)
	}
}
