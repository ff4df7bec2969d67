package workflow

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/pkg/temporaltest"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var record = flag.Bool("record", false, "record new workflow histories into testdata/histories (needs bin/temporal)")

// TestReplayRecordedHistories replays every recorded history against today's
// workflow code: a change that would break bookings already running fails
// here. Record new histories with `go test -run TestRecordHistories -record`
// after a deliberate, versioned change.
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

// The fakes below only produce histories: the activities' results are what a
// history records, and replay never runs activities.
type nopStore struct{}

func (nopStore) Save(context.Context, domain.Booking, *events.Event) error { return nil }

type fakeScheduling struct{ offering domain.Offering }

func (f fakeScheduling) Hold(context.Context, domain.Booking) (domain.Offering, error) {
	return f.offering, nil
}
func (f fakeScheduling) Offering(context.Context, string, string) (domain.Offering, error) {
	return f.offering, nil
}
func (fakeScheduling) Confirm(_ context.Context, b domain.Booking) (Confirmation, error) {
	return Confirmation{MeetingURL: "https://meet.jit.si/" + b.ID}, nil
}
func (fakeScheduling) Move(context.Context, domain.Booking, time.Time) error { return nil }
func (fakeScheduling) Release(context.Context, string) error                 { return nil }

type fakePayments struct{}

func (fakePayments) Authorize(context.Context, domain.Booking, string) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusAuthorized}, nil
}
func (fakePayments) Capture(context.Context, domain.Booking) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusPaid}, nil
}
func (fakePayments) Void(_ context.Context, b domain.Booking) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusRefunded, Refunded: b.Refunded.Amount}, nil
}
func (fakePayments) Settle(context.Context, domain.Booking, domain.Settlement, domain.Role) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusPaid}, nil
}
func (fakePayments) Refund(_ context.Context, b domain.Booking, amount int64, _ string) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusPartiallyRefunded, Refunded: amount}, nil
}
func (fakePayments) MarkPaid(context.Context, domain.Booking, string) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusPaid}, nil
}
func (fakePayments) MarkRefunded(context.Context, domain.Booking, string) (PaymentResult, error) {
	return PaymentResult{Status: domain.PaymentStatusRefunded}, nil
}
func (fakePayments) ReleasePayout(context.Context, domain.Booking) error { return nil }

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

	scenarios := map[string]struct {
		start  time.Duration
		policy domain.Policy
		steps  func(id string) []step
	}{
		"approve-then-cancel-late": {start: 5 * time.Hour, policy: quick, steps: func(string) []step {
			return []step{{UpdateApprove, Command{Actor: mentor}}, {UpdateCancel, Command{Actor: mentee, Reason: "ill"}}}
		}},
		"reject": {start: 72 * time.Hour, policy: quick, steps: func(string) []step {
			return []step{{UpdateNotes, Command{Actor: mentor, Text: "hm"}}, {UpdateReject, Command{Actor: mentor, Reason: "no fit"}}}
		}},
		"negotiate-accept-then-reschedule-declined": {start: 72 * time.Hour, policy: quick, steps: func(string) []step {
			now := time.Now().Truncate(time.Minute)
			return []step{
				{UpdatePropose, Command{Actor: mentor, Start: now.Add(96 * time.Hour)}},
				{UpdatePropose, Command{Actor: mentee, Start: now.Add(100 * time.Hour)}},
				{UpdateAccept, Command{Actor: mentor}},
				{UpdatePropose, Command{Actor: mentor, Start: now.Add(120 * time.Hour)}},
				{UpdateDecline, Command{Actor: mentee}},
				{UpdateMessage, Command{Actor: mentor, Text: "see you"}},
				{UpdateCancel, Command{Actor: mentor}},
			}
		}},
		"expire": {start: 72 * time.Hour, policy: quick, steps: func(string) []step { return nil }},
		"session-ends-and-completes": {start: 3 * time.Second, policy: func() domain.Policy {
			p := quick
			p.AutoCompleteAfter = 5 * time.Second
			return p
		}(), steps: func(string) []step {
			return []step{{UpdateApprove, Command{Actor: mentor}}}
		}},
	}
	for name, sc := range scenarios {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r := domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "deep-dive",
				Start: time.Now().Add(sc.start).Truncate(time.Second), PaymentMethod: domain.PaymentCard}
			b, err := domain.NewBooking(uuid.NewString(), r, sc.policy, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			run, err := ts.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: WorkflowID(b.ID), TaskQueue: TaskQueue,
				TypedSearchAttributes: SearchAttributes(b)}, BookingWorkflow, Input{Booking: b, Fingerprint: r.Fingerprint(), CardToken: "4242424242424242"})
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range append([]step{{UpdateCreate, Command{Actor: mentee, Fingerprint: r.Fingerprint()}}}, sc.steps(b.ID)...) {
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
			if err := os.WriteFile(filepath.Join("testdata/histories", name+".json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
		})
	}
}

type step struct {
	name string
	cmd  Command
}
