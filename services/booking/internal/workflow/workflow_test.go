package workflow

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/suite"
	"go.temporal.io/sdk/testsuite"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

type recordingStore struct{ saved []RecordInput }

func (s *recordingStore) Save(_ context.Context, b domain.Booking, ev events.Event) error {
	s.saved = append(s.saved, RecordInput{Booking: b, EventType: ev.Type})
	return nil
}

type workflowSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env     *testsuite.TestWorkflowEnvironment
	store   *recordingStore
	updates int
}

func TestWorkflow(t *testing.T) { suite.Run(t, new(workflowSuite)) }

func (s *workflowSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.store = &recordingStore{}
	s.env.RegisterActivity(&Activities{Store: s.store})
}

func pending(t time.Time) domain.Booking {
	b, err := domain.NewBooking("5f0c5a56-4a8f-4d4b-9f57-2a4f0a4b1c11", domain.Request{
		MentorID: "mentor-1", MenteeID: "mentee-1", OfferingID: "intro",
		Start: t.Add(72 * time.Hour), End: t.Add(73 * time.Hour),
	}, t)
	if err != nil {
		panic(err)
	}
	return b
}

type updateResult struct {
	booking domain.Booking
	err     error
}

func (s *workflowSuite) update(name string, args ...any) *updateResult {
	r := &updateResult{}
	s.updates++ // update ids must differ: Temporal deduplicates by id
	s.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, s.updates), &testsuite.TestUpdateCallback{
		OnReject: func(err error) { r.err = err },
		OnAccept: func() {},
		OnComplete: func(v any, err error) {
			r.err = err
			if b, ok := v.(domain.Booking); ok {
				r.booking = b
			}
		},
	}, args...)
	return r
}

func (s *workflowSuite) TestApproveConfirmsAndRecordsBothEvents() {
	b := pending(s.env.Now())
	var approved, again *updateResult
	s.env.RegisterDelayedCallback(func() { approved = s.update(UpdateApprove) }, time.Hour)
	s.env.RegisterDelayedCallback(func() { again = s.update(UpdateApprove) }, 2*time.Hour)
	s.env.RegisterDelayedCallback(func() { s.env.CancelWorkflow() }, 3*time.Hour)
	s.env.ExecuteWorkflow(BookingWorkflow, Input{Booking: b})

	s.Require().NoError(approved.err)
	s.Equal(domain.StatusConfirmed, approved.booking.Status)
	s.Equal(int64(2), approved.booking.Version)
	s.Require().Error(again.err, "a second approval must be refused")
	s.True(errors.Is(FromTemporal(again.err), domain.ErrWrongState), "got %v", again.err)
	s.Require().Len(s.store.saved, 2)
	s.Equal(EventRequested, s.store.saved[0].EventType)
	s.Equal(EventApproved, s.store.saved[1].EventType)
	s.Equal(domain.StatusConfirmed, s.store.saved[1].Booking.Status)
}

func (s *workflowSuite) TestCreateRetryWithAnotherRequestIsRefused() {
	b := pending(s.env.Now())
	var same, other *updateResult
	s.env.RegisterDelayedCallback(func() {
		same = s.update(UpdateCreate, CreateArgs{Request: domain.Request{
			MentorID: b.MentorID, MenteeID: b.MenteeID, OfferingID: b.OfferingID, Start: b.Start, End: b.End}})
		other = s.update(UpdateCreate, CreateArgs{Request: domain.Request{
			MentorID: b.MentorID, MenteeID: b.MenteeID, OfferingID: "paid", Start: b.Start, End: b.End}})
	}, time.Minute)
	s.env.RegisterDelayedCallback(func() { s.env.CancelWorkflow() }, time.Hour)
	s.env.ExecuteWorkflow(BookingWorkflow, Input{Booking: b})

	s.Require().NoError(same.err)
	s.Equal(b.ID, same.booking.ID)
	s.True(errors.Is(FromTemporal(other.err), domain.ErrRequestReused), "got %v", other.err)
	s.Len(s.store.saved, 1, "a retried create records nothing new")
}

func (s *workflowSuite) TestRecordRetriesUntilTheStoreComesBack() {
	b := pending(s.env.Now())
	calls := 0
	s.env.OnActivity("Record", mock.Anything, mock.Anything).Return(func(context.Context, RecordInput) error {
		calls++
		if calls < 3 {
			return errors.New("connection refused")
		}
		return nil
	})
	s.env.RegisterDelayedCallback(func() { s.env.CancelWorkflow() }, time.Hour)
	s.env.ExecuteWorkflow(BookingWorkflow, Input{Booking: b})
	s.Equal(3, calls)
}

func TestApplicationErrorsSurviveTemporal(t *testing.T) {
	var v apperr.Violations
	v.Add("start_time", "must be in the future")
	for _, err := range []error{domain.ErrWrongState, apperr.Wrap(domain.ErrWrongState, "this one is REJECTED"), v.Err()} {
		back := FromTemporal(toApplicationError(err))
		if back.Error() != err.Error() {
			t.Errorf("message changed: %q became %q", err, back)
		}
		var ve *apperr.ValidationError
		if errors.As(err, &ve) {
			var got *apperr.ValidationError
			if !errors.As(back, &got) || got.Violations[0] != ve.Violations[0] {
				t.Errorf("violations lost: %v", back)
			}
			continue
		}
		if !errors.Is(back, domain.ErrWrongState) {
			t.Errorf("%v no longer matches its sentinel", back)
		}
	}
}
