package domain

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bookwell/bookwell/pkg/apperr"
)

var (
	now   = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	start = time.Date(2030, 1, 10, 15, 0, 0, 0, time.UTC)
)

func paid(t *testing.T, method Method, amount int64) Payment {
	t.Helper()
	o := Open{BookingID: "b1", MenteeID: "me", MentorID: "mo", Amount: amount, Currency: "USD", Method: method, Card: "4242424242424242"}
	p := NewPayment(o, Authorization{Ref: "ch_1", Last4: "4242"}, now)
	var err error
	if method == MethodCard {
		_, err = p.Capture(now)
	} else {
		_, err = p.MarkPaid("mo", now)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func sum(ts []Transfer, to Account) int64 {
	var s int64
	for _, t := range ts {
		if t.To == to {
			s += t.Amount
		}
		if t.From == to {
			s -= t.Amount
		}
	}
	return s
}

func TestSettlePolicy(t *testing.T) {
	pol := DefaultPolicy()
	mentee, payable := Account{AccountMentee, "me"}, Account{AccountMentorPayable, "mo"}
	cases := []struct {
		name        string
		method      Method
		by          CancelledBy
		ahead       time.Duration
		want        Settlement
		menteeBack  int64
		mentorGets  int64
		revenueGets int64
	}{
		{"mentee 24h ahead gets everything back", MethodCard, ByMentee, 24 * time.Hour, SettlementFullRefund, 10000, 0, 0},
		{"mentee 23h59 ahead: mentor paid minus 10%", MethodCard, ByMentee, 24*time.Hour - time.Minute, SettlementMentorPaid, 0, 9000, 1000},
		{"mentee after the start: mentor paid", MethodCard, ByMentee, -time.Hour, SettlementMentorPaid, 0, 9000, 1000},
		{"mentor cancels late: full refund", MethodCard, ByMentor, time.Hour, SettlementFullRefund, 10000, 0, 0},
		{"manual mentee early: mentor must refund", MethodCash, ByMentee, 48 * time.Hour, SettlementManualRefundDue, 0, 0, 0},
		{"manual mentee late: stands", MethodVenmo, ByMentee, time.Hour, SettlementMentorPaid, 0, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := paid(t, c.method, 10000)
			r, err := p.Settle(pol, Cancellation{By: c.by, SessionStart: start, CancelledAt: start.Add(-c.ahead)}, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != c.want || p.Settlement != c.want {
				t.Fatalf("outcome %s, want %s", r.Outcome, c.want)
			}
			if got := sum(r.Transfers, mentee); got != c.menteeBack {
				t.Errorf("mentee gets %d back, want %d", got, c.menteeBack)
			}
			if got := sum(r.Transfers, payable); got != c.mentorGets {
				t.Errorf("mentor payable +%d, want %d", got, c.mentorGets)
			}
			if got := sum(r.Transfers, Revenue); got != c.revenueGets {
				t.Errorf("revenue +%d, want %d", got, c.revenueGets)
			}
			if _, err := p.Settle(pol, Cancellation{By: c.by, SessionStart: start, CancelledAt: start}, now); !errors.Is(err, ErrWrongState) {
				t.Errorf("second settlement: %v, want ErrWrongState", err)
			}
		})
	}
}

func TestSettleVoidsAnUncapturedHold(t *testing.T) {
	p := NewPayment(Open{BookingID: "b", MenteeID: "me", MentorID: "mo", Amount: 500, Currency: "USD", Method: MethodCard}, Authorization{Ref: "x"}, now)
	r, err := p.Settle(DefaultPolicy(), Cancellation{By: ByMentee, SessionStart: start, CancelledAt: start}, now)
	if err != nil || r.Outcome != SettlementVoided || p.Status != StatusVoided || len(r.Transfers) != 0 {
		t.Fatalf("got %+v %v, status %s", r, err, p.Status)
	}
}

func TestConfigurablePolicy(t *testing.T) {
	pol := Policy{CommissionBps: 2000, FullRefundNotice: 48 * time.Hour}
	p := paid(t, MethodCard, 10000)
	r, err := p.Settle(pol, Cancellation{By: ByMentee, SessionStart: start, CancelledAt: start.Add(-30 * time.Hour)}, now)
	if err != nil || r.Outcome != SettlementMentorPaid || sum(r.Transfers, Revenue) != 2000 {
		t.Fatalf("30h ahead with a 48h notice and 20%%: %+v %v", r, err)
	}
}

func TestRefundAfterReleaseTakesFromMentorAndCommission(t *testing.T) {
	p := paid(t, MethodCard, 10000)
	if _, err := p.ReleasePayout(DefaultPolicy(), now); err != nil {
		t.Fatal(err)
	}
	n, ts, err := p.Refund(2500, "goodwill", now)
	if err != nil || n != 2500 {
		t.Fatal(n, err)
	}
	if sum(ts, Revenue) != -250 || sum(ts, Account{AccountMentorPayable, "mo"}) != -2250 {
		t.Fatalf("transfers %+v", ts)
	}
	if _, _, err := p.Refund(7501, "", now); !errors.Is(err, ErrRefundExceedsCaptured) {
		t.Fatalf("over-refund: %v", err)
	}
	if n, _, err := p.Refund(0, "rest", now); err != nil || n != 7500 || p.Status != StatusRefunded || p.CommissionReturned != 1000 {
		t.Fatalf("full rest: %d %v %s %d", n, err, p.Status, p.CommissionReturned)
	}
}

func TestOpenValidation(t *testing.T) {
	good := Open{BookingID: "b", MenteeID: "me", MentorID: "mo", Amount: 100, Currency: "JPY", Method: MethodCard, Card: "4242424242424242"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, mut := range map[string]func(*Open){
		"zero amount":       func(o *Open) { o.Amount = 0 },
		"negative amount":   func(o *Open) { o.Amount = -1 },
		"unknown currency":  func(o *Open) { o.Currency = "ABC" },
		"lower-case code":   func(o *Open) { o.Currency = "usd" },
		"no currency":       func(o *Open) { o.Currency = "" },
		"unknown method":    func(o *Open) { o.Method = "bitcoin" },
		"card without card": func(o *Open) { o.Card = "" },
		"no mentor":         func(o *Open) { o.MentorID = "" },
	} {
		o := good
		mut(&o)
		if err := o.Validate(); !errors.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v, want invalid", name, err)
		}
	}
}

func TestOnlyTheMentorMarksPaid(t *testing.T) {
	p := NewPayment(Open{BookingID: "b", MenteeID: "me", MentorID: "mo", Amount: 100, Currency: "USD", Method: MethodCash}, Authorization{}, now)
	if _, err := p.MarkPaid("me", now); !errors.Is(err, ErrNotBookingMentor) {
		t.Fatalf("mentee marks paid: %v", err)
	}
	if p.Status != StatusUnpaid {
		t.Fatalf("status %s", p.Status)
	}
}

// An over-refund says what is left in the currency's own decimals.
func TestAnOverRefundSaysWhatRemainsInTheCurrencysDecimals(t *testing.T) {
	for _, c := range []struct {
		currency string
		want     string
	}{{"JPY", "cannot refund 5001 minor units (JPY 5,001): only JPY 5,000 remains captured"},
		{"KWD", "cannot refund 5001 minor units (KWD 5.001): only KWD 5.000 remains captured"}} {
		o := Open{BookingID: "b1", MenteeID: "me", MentorID: "mo", Amount: 5000, Currency: c.currency, Method: MethodCard, Card: "4242424242424242"}
		p := NewPayment(o, Authorization{Ref: "ch_1", Last4: "4242"}, now)
		if _, err := p.Capture(now); err != nil {
			t.Fatal(err)
		}
		_, _, err := p.Refund(5001, "", now)
		if !errors.Is(err, ErrRefundExceedsCaptured) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s over-refund: %v; want %q", c.currency, err, c.want)
		}
	}
}
