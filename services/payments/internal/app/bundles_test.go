package app_test

import (
	"errors"
	"testing"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/simcard"
)

func TestBundleCreditsAndProRataRefund(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	if _, err := e.svc.BuyBundle(ctx, domain.BundleOrder{MenteeID: "mentee-1", MentorID: "mentor-1", Sessions: 5, Price: 8000, Currency: "USD", Card: simcard.CardSuccess}, "too-early"); !errors.Is(err, domain.ErrContinuationRequired) {
		t.Fatalf("buy without an approved continuation: %v", err)
	}
	e.approve(t, "mentor-1", "mentee-1")
	order := domain.BundleOrder{MenteeID: "mentee-1", MentorID: "mentor-1", Sessions: 5, Price: 8000, Currency: "USD", Card: simcard.CardSuccess}
	b, err := e.svc.BuyBundle(ctx, order, "buy")
	if err != nil || b.Status != domain.BundleActive || b.Total != 5 {
		t.Fatalf("buy: %+v %v", b, err)
	}
	if again, err := e.svc.BuyBundle(ctx, order, "buy"); err != nil || again.ID != b.ID {
		t.Fatalf("retried purchase: %+v %v", again, err)
	}
	if got := e.balance(t, domain.AccountEscrow, b.ID); got != 40000 {
		t.Fatalf("escrow %d after purchase", got)
	}
	for i, booking := range []string{"s1", "s2"} {
		if b, err = e.svc.UseBundleCredit(ctx, b.ID, booking, "use-"+booking); err != nil || b.Used != i+1 {
			t.Fatalf("use %s: %+v %v", booking, b, err)
		}
	}
	if _, err := e.svc.UseBundleCredit(ctx, b.ID, "s1", "use-s1-again"); !errors.Is(err, app.ErrCreditUsed) {
		t.Fatalf("one booking, two credits: %v", err)
	}
	list, err := e.svc.MenteeBundles(ctx, "mentee-1")
	if err != nil || len(list) != 1 || list[0].Used != 2 || list[0].Total != 5 {
		t.Fatalf("progress %+v %v", list, err)
	}
	if got := e.balance(t, domain.AccountMentorPayable, "mentor-1"); got != 2*7200 {
		t.Fatalf("mentor payable %d, want two sessions minus 10%%", got)
	}
	if b, err = e.svc.CancelBundle(ctx, b.ID, "cancel"); err != nil || b.Status != domain.BundleCancelled || b.Refunded != 3*8000 {
		t.Fatalf("cancel: %+v %v", b, err)
	}
	if got := -e.balance(t, domain.AccountMentee, "mentee-1"); got != 2*8000 {
		t.Fatalf("mentee paid %d net, want the two used sessions", got)
	}
	if got := e.balance(t, domain.AccountEscrow, b.ID); got != 0 {
		t.Fatalf("escrow %d after cancel", got)
	}
	if _, err := e.svc.UseBundleCredit(ctx, b.ID, "s3", "use-s3"); !errors.Is(err, domain.ErrBundleNotActive) {
		t.Fatalf("use after cancel: %v", err)
	}
	if got := e.scalar(t, `SELECT refunded FROM simcard_charges`); got != 24000 {
		t.Fatalf("processor refunded %d", got)
	}
	e.checkLedger(t)
}

func TestBundleBadInput(t *testing.T) {
	e := newEnv(t)
	ctx := admin
	e.approve(t, "mo", "me")
	good := domain.BundleOrder{MenteeID: "me", MentorID: "mo", Sessions: 3, Price: 100, Currency: "USD", Card: simcard.CardSuccess}
	for name, mut := range map[string]func(*domain.BundleOrder){
		"zero sessions":  func(o *domain.BundleOrder) { o.Sessions = 0 },
		"negative price": func(o *domain.BundleOrder) { o.Price = -100 },
		"bad currency":   func(o *domain.BundleOrder) { o.Currency = "EURO" },
		"no card":        func(o *domain.BundleOrder) { o.Card = "" },
	} {
		o := good
		mut(&o)
		if _, err := e.svc.BuyBundle(ctx, o, "k-"+name); !errors.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	o := good
	o.Card = simcard.CardInsufficientFunds
	if _, err := e.svc.BuyBundle(ctx, o, "k-poor"); !errors.Is(err, domain.ErrInsufficientFunds) {
		t.Fatalf("insufficient funds: %v", err)
	}
	if e.ledgerEntries(t) != 0 {
		t.Fatal("refused purchases moved money")
	}
}
