package workflow

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/temporaltest"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var record = flag.Bool("record", false, "record new workflow histories into testdata/histories (needs bin/temporal)")

// TestReplayRecordedHistories replays every recorded history against today's
// workflow code: a change that would break bookings already running fails
// here. Record new histories with `make record-histories` after a
// deliberate, versioned change; keep the old ones while bookings started
// before it may still run.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("testdata/histories/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no recorded histories in testdata/histories")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflow(BookingWorkflow)
			if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err != nil {
				t.Fatalf("replaying %s: %v", f, err)
			}
		})
	}
}

// TestReplayFailsWhenAChangeIsNotVersioned proves the replay test would catch
// a change that breaks running bookings: the histories recorded before
// localCallsChange, replayed by a workflow that makes local calls without
// asking GetVersion, do not replay.
func TestReplayFailsWhenAChangeIsNotVersioned(t *testing.T) {
	files, _ := filepath.Glob("testdata/histories/*.json")
	old := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), localCallsPrefix) || strings.HasPrefix(filepath.Base(f), instantApprovalPrefix) {
			continue
		}
		old++
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(func(ctx workflow.Context, in Input) error {
			return runBooking(ctx, in, true)
		}, workflow.RegisterOptions{Name: "BookingWorkflow"})
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, f); err == nil {
			t.Errorf("%s replayed by an unversioned change: the replay test would miss it", f)
		}
	}
	if old == 0 {
		t.Fatal("no histories from before localCallsChange")
	}
}

// The fakes below only produce histories: the activities' results are what a
// history records, and replay never runs activities.
type nopStore struct{}

func (nopStore) Save(context.Context, *domain.Booking, *events.Event) error { return nil }

type fakeScheduling struct{ offering Offering }

func (f fakeScheduling) Hold(context.Context, HoldInput) (Offering, error) { return f.offering, nil }
func (f fakeScheduling) Offering(context.Context, string, string) (Offering, error) {
	return f.offering, nil
}
func (fakeScheduling) Confirm(_ context.Context, in ConfirmInput) (Confirmation, error) {
	return Confirmation{MeetingURL: "https://meet.jit.si/" + in.ID}, nil
}
func (fakeScheduling) Move(context.Context, string, time.Time) error { return nil }
func (fakeScheduling) Release(context.Context, string) error         { return nil }

type fakePayments struct{}

func (fakePayments) Authorize(_ context.Context, _ PaymentInput, card string) (PaymentResult, error) {
	switch card {
	case card3DS:
		return PaymentResult{Status: string(domain.PaymentStatusAwaitingAuthentication),
			Action: &PaymentAction{ClientSecret: "simch_1_secret_2", RedirectURL: "http://sim/simch_1"}}, nil
	case cardShortHold:
		return PaymentResult{Status: string(domain.PaymentStatusAuthorized), HoldLapses: time.Now().Add(4 * time.Second)}, nil
	}
	return PaymentResult{Status: string(domain.PaymentStatusAuthorized)}, nil
}

// Cards the fake processor treats specially: one asks for 3-D Secure, one
// holds for 4 seconds only.
const (
	card3DS       = "4000002500003155"
	cardShortHold = "4000000000000077"
)

func (fakePayments) Capture(context.Context, PaymentInput) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (fakePayments) Void(_ context.Context, in PaymentInput) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusRefunded), Refunded: in.Refunded.Amount}, nil
}
func (fakePayments) Settle(context.Context, PaymentInput, domain.Settlement, domain.Role) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (fakePayments) Refund(_ context.Context, _ PaymentInput, amount int64, _ string) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusPartiallyRefunded), Refunded: amount}, nil
}
func (fakePayments) MarkPaid(context.Context, PaymentInput) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
}
func (fakePayments) MarkRefunded(context.Context, PaymentInput) (PaymentResult, error) {
	return PaymentResult{Status: string(domain.PaymentStatusRefunded)}, nil
}
func (fakePayments) ReleasePayout(context.Context, PaymentInput) error { return nil }

// localCallsPrefix starts the names of the histories recorded since
// localCallsChange; the others were recorded before it and must keep
// replaying until the bookings they stand for have drained.
const localCallsPrefix = "local-calls-"

// instantApprovalPrefix starts the names of the histories recorded since
// instantApprovalChange (the newest: TestRecordHistories writes these).
const instantApprovalPrefix = "instant-approval-"

// TestRecordHistories runs the main paths on a real dev server and writes
// their histories to testdata/histories. It runs only with -record.
func TestRecordHistories(t *testing.T) {
	if !*record {
		t.Skip("run with -record to record histories")
	}
	ts := temporaltest.New(t, RegisteredSearchAttributes())
	w := worker.New(ts.Client, TaskQueue, worker.Options{})
	short := paid60
	short.Duration = 2 * time.Second // so that a session ends within the test
	Register(w, &Activities{Store: nopStore{}, Scheduling: fakeScheduling{offering: short}, Payments: fakePayments{}})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop) // not defer: the subtests run in parallel after this function returns
	quick := domain.DefaultPolicy()
	quick.ApprovalWindow, quick.ReminderAfter, quick.AfterCare = 3*time.Second, time.Second, 2*time.Second

	authenticated := Command{Actor: by(domain.System), Payment: &PaymentReport{Kind: string(domain.ReportAuthenticated),
		Status: string(domain.PaymentStatusAuthorized), HoldLapses: time.Now().Add(7 * 24 * time.Hour)}}
	scenarios := map[string]struct {
		start  time.Duration
		policy domain.Policy
		card   string
		steps  func(id string) []step
	}{
		// Since cardAuthenticationChange (record them alone with
		// -run 'TestRecordHistories/card-'):
		"card-authentication-then-approve": {start: 5 * time.Hour, policy: quick, card: card3DS, steps: func(string) []step {
			return []step{{UpdatePayment, authenticated}, {UpdateApprove, Command{Actor: by(mentor)}}, {UpdateCancel, Command{Actor: by(mentee), Reason: "ill"}}}
		}},
		"card-authentication-expires": {start: 5 * time.Hour, policy: func() domain.Policy {
			p := quick
			p.AuthenticationTimeout = 2 * time.Second
			return p
		}(), card: card3DS, steps: func(string) []step { return nil }},
		"card-hold-lapses-first": {start: 72 * time.Hour, policy: func() domain.Policy {
			p := quick
			p.ApprovalWindow = time.Hour
			return p
		}(), card: cardShortHold, steps: func(string) []step { return nil }},
		"approve-then-cancel-late": {start: 5 * time.Hour, policy: quick, steps: func(string) []step {
			return []step{{UpdateApprove, Command{Actor: by(mentor)}}, {UpdateCancel, Command{Actor: by(mentee), Reason: "ill"}}}
		}},
		"reject": {start: 72 * time.Hour, policy: quick, steps: func(string) []step {
			return []step{{UpdateNotes, Command{Actor: by(mentor), Text: "hm"}}, {UpdateReject, Command{Actor: by(mentor), Reason: "no fit"}}}
		}},
		"negotiate-accept-then-reschedule-declined": {start: 72 * time.Hour, policy: quick, steps: func(string) []step {
			now := time.Now().Truncate(time.Minute)
			return []step{
				{UpdatePropose, Command{Actor: by(mentor), Start: now.Add(96 * time.Hour)}},
				{UpdatePropose, Command{Actor: by(mentee), Start: now.Add(100 * time.Hour)}},
				{UpdateAccept, Command{Actor: by(mentor)}},
				{UpdatePropose, Command{Actor: by(mentor), Start: now.Add(120 * time.Hour)}},
				{UpdateDecline, Command{Actor: by(mentee)}},
				{UpdateMessage, Command{Actor: by(mentor), Text: "see you"}},
				{UpdateCancel, Command{Actor: by(mentor)}},
			}
		}},
		"expire": {start: 72 * time.Hour, policy: quick, steps: func(string) []step { return nil }},
		"auto-approve-then-cancel": {start: 72 * time.Hour, policy: func() domain.Policy {
			p := quick
			p.AutoApprove = true
			return p
		}(), steps: func(string) []step {
			return []step{{UpdateCancel, Command{Actor: by(mentee), Reason: "plans changed"}}}
		}},
		"session-ends-and-completes": {start: 3 * time.Second, policy: func() domain.Policy {
			p := quick
			p.AutoCompleteAfter = 5 * time.Second
			return p
		}(), steps: func(string) []step {
			return []step{{UpdateApprove, Command{Actor: by(mentor)}}}
		}},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			card := sc.card
			if card == "" {
				card = "4242424242424242"
			}
			r := domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "deep-dive",
				Start: time.Now().Add(sc.start).Truncate(time.Second), PaymentMethod: domain.PaymentCard}
			b, err := domain.NewBooking(uuid.NewString(), r, sc.policy, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			run, err := ts.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: WorkflowID(b.ID()), TaskQueue: TaskQueue,
				TypedSearchAttributes: SearchAttributes(b)}, BookingWorkflow, Input{Booking: toState(b), Fingerprint: "fp", CardToken: card})
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range append([]step{{UpdateCreate, Command{Actor: by(mentee), Fingerprint: "fp"}}}, sc.steps(b.ID())...) {
				h, err := ts.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: run.GetID(), UpdateName: st.name,
					Args: []any{st.cmd}, WaitForStage: client.WorkflowUpdateStageCompleted})
				if err == nil {
					err = h.Get(ctx, nil)
				}
				if err != nil {
					t.Fatalf("step %d %s: %v", i, st.name, err)
				}
			}
			if err := run.Get(ctx, nil); err != nil {
				t.Fatalf("workflow: %v", err)
			}
			var hist historypb.History
			it := ts.Client.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, 0)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					t.Fatal(err)
				}
				hist.Events = append(hist.Events, ev)
			}
			data, err := protojson.MarshalOptions{Indent: " "}.Marshal(&hist)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll("testdata/histories", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join("testdata/histories", instantApprovalPrefix+name+".json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type step struct {
	name string
	cmd  Command
}
