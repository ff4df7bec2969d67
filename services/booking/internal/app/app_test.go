package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/pkg/pgdb"
	"github.com/bookwell/bookwell/pkg/pgtest"
	"github.com/bookwell/bookwell/pkg/temporaltest"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// env is the booking context's use cases on a real Temporal dev server and a
// real Postgres, with a worker whose scheduling and payments are in-process
// fakes (they are other services).
type env struct {
	app    *app.Service
	store  *postgres.Store
	pool   *pgxpool.Pool
	tc     client.Client
	mentor context.Context
	mentee context.Context
}

func newEnv(t *testing.T) env {
	t.Helper()
	if testing.Short() {
		t.Skip("integration: real Temporal and Postgres")
	}
	ctx := context.Background()
	pool, err := pgdb.Open(ctx, pgtest.New(t), postgres.Schema, postgres.Migrations()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	store := postgres.NewStore(pool)
	ts := temporaltest.New(t, workflow.RegisteredSearchAttributes())
	w := workflow.NewWorker(ts.Client, &workflow.Activities{Store: store, Scheduling: scheduling{}, Payments: &payments{}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	return env{
		app:    app.New(workflow.NewClient(ts.Client), store, domain.DefaultPolicy(), app.Lookups{}, time.Now),
		store:  store,
		pool:   pool,
		tc:     ts.Client,
		mentor: identity.With(ctx, identity.Principal{Subject: "mentor-grace", Role: identity.RoleMentor}),
		mentee: identity.With(ctx, identity.Principal{Subject: "mentee-ada", Role: identity.RoleMentee}),
	}
}

func (e env) request(t *testing.T, requestID string) *domain.Booking {
	t.Helper()
	b, err := e.app.Create(e.mentee, domain.Request{MentorID: "mentor-grace", OfferingID: "deep-dive",
		Start: time.Now().Add(72 * time.Hour).Truncate(time.Minute), PaymentMethod: domain.PaymentCard}, requestID, "4242424242424242")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A command whose answer was lost (the gateway timed out, the connection
// broke) is sent again by the client with the same Idempotency-Key: it must
// get the answer of the command that took effect, not WRONG_STATE.
func TestARetriedCommandGetsTheAnswerOfTheOneThatTookEffect(t *testing.T) {
	e := newEnv(t)
	id := e.request(t, "r-1").ID()

	first, err := e.app.Approve(app.WithIdempotencyKey(e.mentor, "approve-1"), id, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := e.app.Approve(app.WithIdempotencyKey(e.mentor, "approve-1"), id, time.Time{})
	if err != nil {
		t.Fatalf("the retried approval: %v; want the first one's answer", err)
	}
	if again.Status() != domain.StatusConfirmed || again.Version() != first.Version() {
		t.Fatalf("retry answered %s v%d; the approval made %s v%d", again.Status(), again.Version(), first.Status(), first.Version())
	}
	// A new approval (another key, or none) is a new command: refused.
	for _, ctx := range []context.Context{app.WithIdempotencyKey(e.mentor, "approve-2"), e.mentor} {
		if _, err := e.app.Approve(ctx, id, time.Time{}); !errors.Is(err, domain.ErrWrongState) {
			t.Fatalf("a second approval: %v; want WRONG_STATE", err)
		}
	}
}

// A create retried with the same request_id (no Idempotency-Key) gets the
// booking the first one made.
func TestARetriedRequestGetsTheSameBooking(t *testing.T) {
	e := newEnv(t)
	first := e.request(t, "r-1")
	again := e.request(t, "r-1")
	if again.ID() != first.ID() || again.Version() != first.Version() || again.Status() != domain.StatusPending {
		t.Fatalf("retry got %s %s v%d; first %s v%d", again.ID(), again.Status(), again.Version(), first.ID(), first.Version())
	}
}

type scheduling struct{}

func (scheduling) Hold(context.Context, workflow.HoldInput) (workflow.Offering, error) {
	return workflow.Offering{Kind: string(domain.OfferingPaid), Name: "Deep dive", Duration: time.Hour,
		Price: workflow.Money{Currency: "EUR", Amount: 5000}, MentorTZ: "Europe/Berlin"}, nil
}
func (s scheduling) Offering(ctx context.Context, _, _ string) (workflow.Offering, error) {
	return s.Hold(ctx, workflow.HoldInput{})
}
func (scheduling) Confirm(context.Context, workflow.ConfirmInput) (workflow.Confirmation, error) {
	return workflow.Confirmation{MeetingURL: "https://meet.example/x"}, nil
}
func (scheduling) Move(context.Context, string, time.Time) error { return nil }
func (scheduling) Release(context.Context, string) error         { return nil }

type payments struct{}

func (*payments) Authorize(context.Context, workflow.PaymentInput, string) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusAuthorized)}, nil
}
func (*payments) Capture(context.Context, workflow.PaymentInput) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (*payments) Void(context.Context, workflow.PaymentInput) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusRefunded)}, nil
}
func (*payments) Settle(context.Context, workflow.PaymentInput, domain.Settlement, domain.Role) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (*payments) Refund(context.Context, workflow.PaymentInput, int64, string) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusRefunded)}, nil
}
func (*payments) MarkPaid(context.Context, workflow.PaymentInput) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (*payments) MarkRefunded(context.Context, workflow.PaymentInput) (workflow.PaymentResult, error) {
	return workflow.PaymentResult{Status: string(domain.PaymentStatusRefunded)}, nil
}
func (*payments) ReleasePayout(context.Context, workflow.PaymentInput) error { return nil }
