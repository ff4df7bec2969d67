package app_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

// TestLedgerProperties runs random sequences of operations (valid and not) on
// random payments and checks after every step: every ledger transaction
// balances; refunds never exceed what was captured; the mentee's, escrow's,
// mentor's and platform's balances match the payment; a failed operation moves
// no money; and a retry under the same key returns the first result and moves
// nothing.
func TestLedgerProperties(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	n := 0
	rapid.Check(t, func(rt *rapid.T) {
		n++
		booking := fmt.Sprintf("prop-%d", n)
		mentee, mentor := "mentee-"+booking, "mentor-"+booking
		amount := rapid.Int64Range(1, 100_000).Draw(rt, "amount")
		method := rapid.SampledFrom([]domain.Method{domain.MethodCard, domain.MethodCash, domain.MethodPayPal}).Draw(rt, "method")
		card := rapid.SampledFrom([]string{simcard.CardSuccess, simcard.CardSuccess, simcard.CardDeclined, simcard.CardInsufficientFunds}).Draw(rt, "card")
		open := domain.Open{BookingID: booking, MenteeID: mentee, MentorID: mentor, Amount: amount, Currency: "USD", Method: method, Card: card}

		type call struct {
			key string
			do  func(key string) (domain.Payment, error)
		}
		var last *call
		step := 0
		run := func(c call) {
			before := e.ledgerEntries(rt)
			beforeP, _ := e.svc.Payment(ctx, booking)
			p, err := c.do(c.key)
			if err != nil {
				if got := e.ledgerEntries(rt); got != before {
					rt.Fatalf("failed operation (%v) moved money: %d ledger lines, was %d", err, got, before)
				}
				afterP, _ := e.svc.Payment(ctx, booking)
				if !reflect.DeepEqual(beforeP, afterP) {
					rt.Fatalf("failed operation (%v) changed the payment", err)
				}
			} else {
				// A retry under the same key returns the same result and moves nothing.
				mid := e.ledgerEntries(rt)
				p2, err2 := c.do(c.key)
				if err2 != nil || p2.Status != p.Status || p2.Refunded != p.Refunded || p2.Captured != p.Captured {
					rt.Fatalf("retry returned %+v, %v; first %+v", p2, err2, p)
				}
				if e.ledgerEntries(rt) != mid {
					rt.Fatal("retry moved money")
				}
			}
			last = &c
		}
		opKey := func() string { step++; return fmt.Sprintf("%s-k%d", booking, step) }

		actions := map[string]func(*rapid.T){
			"authorize": func(t *rapid.T) {
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.Authorize(ctx, open, k) }})
			},
			"capture": func(t *rapid.T) {
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.Capture(ctx, booking, k) }})
			},
			"void": func(t *rapid.T) {
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.Void(ctx, booking, k) }})
			},
			"refund": func(t *rapid.T) {
				a := rapid.Int64Range(-5, amount+5).Draw(t, "refund")
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.Refund(ctx, booking, a, "note", k) }})
			},
			"markPaid": func(t *rapid.T) {
				actor := rapid.SampledFrom([]string{mentor, mentee}).Draw(t, "actor")
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.MarkPaid(ctx, booking, actor, k) }})
			},
			"markRefunded": func(t *rapid.T) {
				actor := rapid.SampledFrom([]string{mentor, "someone-else"}).Draw(t, "actor")
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.MarkRefunded(ctx, booking, actor, "", k) }})
			},
			"settle": func(t *rapid.T) {
				c := domain.Cancellation{
					By:           rapid.SampledFrom([]domain.CancelledBy{domain.ByMentee, domain.ByMentor}).Draw(t, "by"),
					SessionStart: sessionStart,
					CancelledAt:  sessionStart.Add(-time.Duration(rapid.IntRange(0, 72).Draw(t, "hoursAhead")) * time.Hour),
				}
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.SettleCancellation(ctx, booking, c, k) }})
			},
			"release": func(t *rapid.T) {
				run(call{opKey(), func(k string) (domain.Payment, error) { return e.svc.ReleasePayout(ctx, booking, k) }})
			},
			"retryLast": func(t *rapid.T) {
				if last != nil {
					run(*last)
				}
			},
			"": func(t *rapid.T) { checkInvariants(t, e, booking, mentee, mentor) },
		}
		rt.Repeat(actions)
	})
}

func checkInvariants(t *rapid.T, e *env, booking, mentee, mentor string) {
	e.checkLedger(t)
	p, err := e.svc.Payment(admin, booking)
	if err != nil {
		if e.ledgerEntries(t) != 0 && e.balance(t, domain.AccountMentee, mentee) != 0 {
			t.Fatal("money moved without a payment")
		}
		return
	}
	if p.Refunded < 0 || p.Refunded > p.Captured || p.Captured > p.Amount {
		t.Fatalf("refunded %d, captured %d, amount %d", p.Refunded, p.Captured, p.Amount)
	}
	var refundSum int64
	for _, r := range p.Refunds {
		refundSum += r.Amount
	}
	if refundSum != p.Refunded {
		t.Fatalf("refund lines sum to %d, payment says %d", refundSum, p.Refunded)
	}
	if got := -e.balance(t, domain.AccountMentee, mentee); got != p.Remaining() {
		t.Fatalf("mentee paid %d net, payment has %d remaining", got, p.Remaining())
	}
	escrow := e.balance(t, domain.AccountEscrow, booking)
	payable := e.balance(t, domain.AccountMentorPayable, mentor)
	direct := e.balance(t, domain.AccountMentorDirect, mentor)
	switch {
	case p.Method != domain.MethodCard:
		if escrow != 0 || payable != 0 || direct != p.Remaining() {
			t.Fatalf("manual: escrow %d payable %d direct %d, remaining %d", escrow, payable, direct, p.Remaining())
		}
	case !p.Released:
		if escrow != p.Remaining() || payable != 0 {
			t.Fatalf("card before release: escrow %d payable %d, remaining %d", escrow, payable, p.Remaining())
		}
	default:
		if escrow != 0 || payable < 0 || payable+(p.Commission-p.CommissionReturned) != p.Remaining() {
			t.Fatalf("card after release: escrow %d payable %d commission %d, remaining %d", escrow, payable, p.Commission-p.CommissionReturned, p.Remaining())
		}
	}
	if p.Method == domain.MethodCard {
		var captured, refunded int64
		var status string
		if err := e.sim.QueryRow(context.Background(), `SELECT captured, refunded, status FROM simcard_charges WHERE id = $1`, p.ProviderRef).
			Scan(&captured, &refunded, &status); err != nil {
			t.Fatal(err)
		}
		if captured != p.Captured || refunded != p.Refunded {
			t.Fatalf("card processor has captured %d refunded %d (%s); payment %d, %d", captured, refunded, status, p.Captured, p.Refunded)
		}
		if p.Status == domain.StatusVoided && status != "voided" {
			t.Fatalf("voided payment, processor says %s", status)
		}
	}
}
