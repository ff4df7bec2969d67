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

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var (
	t0     = time.Date(2030, 3, 4, 9, 0, 0, 0, time.UTC)
	mentor = domain.Actor{ID: "mentor-grace", Role: domain.RoleMentor}
	mentee = domain.Actor{ID: "mentee-ada", Role: domain.RoleMentee}
	paid60 = Offering{Kind: string(domain.OfferingPaid), Name: "Deep dive", Duration: time.Hour,
		Price: Money{Currency: "EUR", Amount: 5000}, MentorTZ: "Europe/Berlin"}
)

var (
	errSlotTaken    = apperr.New(apperr.KindConflict, "SLOT_TAKEN", "that time is already booked")
	errProviderDown = apperr.New(apperr.KindUnavailable, "PAYMENT_PROVIDER_UNAVAILABLE", "the card provider is unavailable")
)

type workflowSuite struct {
	suite.Suite
	testsuite.WorkflowTestSuite
	env      *testsuite.TestWorkflowEnvironment
	records  []RecordInput
	calls    []string
	updates  int
	offering Offering
	payment  domain.PaymentStatus
	holdErr  error
	// confirmErr fails every confirmation (a meeting provider down for good).
	confirmErr error
	authErr    error
	// authDown is how many more authorizations find the card provider
	// unavailable before it answers.
	authDown int
}

func TestWorkflow(t *testing.T) { suite.Run(t, new(workflowSuite)) }

func (s *workflowSuite) SetupTest() {
	s.env = s.NewTestWorkflowEnvironment()
	s.env.SetStartTime(t0)
	s.env.RegisterActivity(&Activities{})
	s.records, s.calls, s.updates = nil, nil, 0
	s.offering, s.payment, s.holdErr, s.authErr, s.authDown = paid60, domain.PaymentStatusAuthorized, nil, nil, 0
	s.confirmErr = nil
	s.env.OnActivity("Record", mock.Anything, mock.Anything).Return(func(_ context.Context, in RecordInput) error {
		s.records = append(s.records, in)
		return nil
	}).Maybe()
	s.mock("HoldSlot", func(HoldInput) (Offering, error) { return s.offering, s.holdErr })
	s.mock("LookUpOffering", func(HoldInput) (Offering, error) { return s.offering, nil })
	s.env.OnActivity("AuthorizePayment", mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ PaymentInput, _ string) (PaymentResult, error) {
			s.calls = append(s.calls, "AuthorizePayment")
			if s.authDown > 0 {
				s.authDown--
				return PaymentResult{}, toApplicationError(errProviderDown)
			}
			return PaymentResult{Status: string(s.payment)}, s.authErr
		}).Maybe()
	s.mock("ConfirmSlot", func(in ConfirmInput) (Confirmation, error) {
		if s.confirmErr != nil {
			return Confirmation{}, s.confirmErr
		}
		return Confirmation{MeetingURL: "https://meet.jit.si/bookwell-" + in.ID, Calendar: CalendarLinks{Google: "g"}}, nil
	})
	s.mock("CapturePayment", func(PaymentInput) (PaymentResult, error) {
		return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
	})
	s.mock("VoidPayment", func(in PaymentInput) (PaymentResult, error) {
		if in.PaymentStatus == string(domain.PaymentStatusPaid) {
			return PaymentResult{Status: string(domain.PaymentStatusRefunded), Refunded: in.Price.Amount}, nil
		}
		return PaymentResult{Status: string(domain.PaymentStatusRefunded)}, nil
	})
	s.mock("ReleaseSlot", func(string) error { return nil })
	s.mock("ReleasePayout", func(PaymentInput) error { return nil })
	s.mock("MarkPaymentPaid", func(PaymentInput, string) (PaymentResult, error) {
		return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
	})
	s.env.OnActivity("MoveSlot", mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ HoldInput, start time.Time) error {
			s.calls = append(s.calls, "MoveSlot "+start.UTC().Format(time.RFC3339))
			return nil
		}).Maybe()
	s.env.OnActivity("SettleCancellation", mock.Anything, mock.Anything, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ PaymentInput, st domain.Settlement, _ domain.Role) (PaymentResult, error) {
			s.calls = append(s.calls, "SettleCancellation "+string(st))
			return PaymentResult{Status: string(domain.PaymentStatusPaid)}, nil
		}).Maybe()
}

// mock answers activity name with fn (which takes the activity's arguments
// after the context) and logs the call.
func (s *workflowSuite) mock(name string, fn any) {
	switch f := fn.(type) {
	case func(HoldInput) (Offering, error):
		s.env.OnActivity(name, mock.Anything, mock.Anything).Return(func(_ context.Context, in HoldInput) (Offering, error) {
			s.calls = append(s.calls, name)
			return f(in)
		}).Maybe()
	case func(ConfirmInput) (Confirmation, error):
		s.env.OnActivity(name, mock.Anything, mock.Anything).Return(func(_ context.Context, in ConfirmInput) (Confirmation, error) {
			s.calls = append(s.calls, name)
			return f(in)
		}).Maybe()
	case func(PaymentInput) (PaymentResult, error):
		s.env.OnActivity(name, mock.Anything, mock.Anything).Return(func(_ context.Context, in PaymentInput) (PaymentResult, error) {
			s.calls = append(s.calls, name)
			return f(in)
		}).Maybe()
	case func(PaymentInput, string) (PaymentResult, error):
		s.env.OnActivity(name, mock.Anything, mock.Anything, mock.Anything).Return(func(_ context.Context, in PaymentInput, x string) (PaymentResult, error) {
			s.calls = append(s.calls, name)
			return f(in, x)
		}).Maybe()
	case func(string) error:
		s.env.OnActivity(name, mock.Anything, mock.Anything).Return(func(_ context.Context, id string) error {
			s.calls = append(s.calls, name)
			return f(id)
		}).Maybe()
	case func(PaymentInput) error:
		s.env.OnActivity(name, mock.Anything, mock.Anything).Return(func(_ context.Context, in PaymentInput) error {
			s.calls = append(s.calls, name)
			return f(in)
		}).Maybe()
	default:
		panic(fmt.Sprintf("mock %s: unsupported %T", name, fn))
	}
}

func request(start time.Time, policy domain.Policy, method domain.PaymentMethod) Input {
	r := domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "deep-dive",
		Start: start, PaymentMethod: method, MenteeTZ: "America/New_York"}
	return input("5f0c5a56-4a8f-4d4b-9f57-2a4f0a4b1c11", r, policy)
}

// input starts a booking's workflow for request r, as bookingd does.
func input(id string, r domain.Request, policy domain.Policy) Input {
	b, err := domain.NewBooking(id, r, policy, t0)
	if err != nil {
		panic(err)
	}
	return Input{Booking: toState(b), Fingerprint: "fp-" + id, CardToken: "4242424242424242"}
}

type result struct {
	booking domain.Snapshot
	err     error
	done    bool
}

// at sends update name with c at time t after the start.
func (s *workflowSuite) at(d time.Duration, name string, c Command) *result {
	r := &result{}
	s.env.RegisterDelayedCallback(func() {
		s.updates++ // update ids must differ: Temporal deduplicates by id
		s.env.UpdateWorkflow(name, fmt.Sprintf("%s-%d", name, s.updates), &testsuite.TestUpdateCallback{
			OnReject: func(err error) { r.err, r.done = FromTemporal(err), true },
			OnAccept: func() {},
			OnComplete: func(v any, err error) {
				r.done = true
				r.err = FromTemporal(err)
				if st, ok := v.(State); ok {
					r.booking = fromState(st).Snapshot()
				}
			},
		}, c)
	}, d)
	return r
}

// by is the actor of a command.
func by(a domain.Actor) Actor { return toActor(a) }

func (s *workflowSuite) events() []bookingv1.EventType {
	var out []bookingv1.EventType
	for _, r := range s.records {
		out = append(out, r.Event)
	}
	return out
}

func (s *workflowSuite) last() domain.Snapshot { return s.booking(len(s.records) - 1) }

// booking is the booking the i-th record saved.
func (s *workflowSuite) booking(i int) domain.Snapshot {
	return fromState(s.records[i].Booking).Snapshot()
}

// run executes the workflow and cancels it at stop (unless it ended before).
func (s *workflowSuite) run(in Input, stop time.Duration) {
	s.env.RegisterDelayedCallback(func() { s.env.CancelWorkflow() }, stop)
	s.env.ExecuteWorkflow(BookingWorkflow, in)
}

func (s *workflowSuite) requireRefused(r *result, want error) {
	s.Require().True(r.done, "update never answered")
	s.Require().Error(r.err)
	s.True(errors.Is(r.err, want), "got %v, want %v", r.err, want)
}

func (s *workflowSuite) TestRequestHoldsAndAuthorizesThenApprovalConfirmsAndCaptures() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	approved := s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	s.run(in, 2*time.Hour)

	s.Require().NoError(approved.err)
	b := approved.booking
	s.Equal(domain.StatusConfirmed, b.Status)
	s.Equal(domain.PaymentStatusPaid, b.PaymentStatus)
	s.Equal(int64(5000), b.Price.Amount)
	s.Equal(in.Booking.Start.Add(time.Hour), b.End)
	s.NotEmpty(b.MeetingURL)
	s.Equal(t0.Add(time.Hour), b.FirstResponseAt)
	s.Equal([]string{"HoldSlot", "AuthorizePayment", "ConfirmSlot", "CapturePayment"}, s.calls)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_APPROVED}, s.events())
}

func (s *workflowSuite) TestCommandsInTheWrongStateOrFromTheWrongPersonAreRefused() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	other := s.at(time.Minute, UpdateApprove, Command{Actor: by(domain.Actor{ID: "mentor-other", Role: domain.RoleMentor})})
	byMentee := s.at(2*time.Minute, UpdateApprove, Command{Actor: by(mentee)})
	noReason := s.at(3*time.Minute, UpdateReject, Command{Actor: by(mentor), Reason: "  "})
	markPaid := s.at(4*time.Minute, UpdateMarkPaid, Command{Actor: by(mentor)})
	complete := s.at(5*time.Minute, UpdateComplete, Command{Actor: by(mentor)})
	approve := s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	again := s.at(2*time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	early := s.at(3*time.Hour, UpdateComplete, Command{Actor: by(mentor)})
	s.run(in, 4*time.Hour)

	s.requireRefused(other, domain.ErrNotYourBooking)
	s.requireRefused(byMentee, domain.ErrNotAllowedForRole)
	s.requireRefused(noReason, apperr.Invalid)
	s.requireRefused(markPaid, domain.ErrNotManual)
	s.requireRefused(complete, domain.ErrWrongState)
	s.Require().NoError(approve.err)
	s.requireRefused(again, domain.ErrWrongState)
	s.requireRefused(early, domain.ErrSessionNotOver)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_APPROVED}, s.events(), "refused commands leave no trace")
}

func (s *workflowSuite) TestRejectWithReasonReleasesTheSlotAndTheHold() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	rejected := s.at(time.Hour, UpdateReject, Command{Actor: by(mentor), Reason: "Outside my expertise"})
	s.run(in, 40*24*time.Hour)

	s.Require().NoError(rejected.err)
	b := rejected.booking
	s.Equal(domain.StatusRejected, b.Status)
	s.Equal("Outside my expertise", b.Outcome.Reason)
	s.Equal(domain.RoleMentor, b.Outcome.EndedBy)
	s.Equal(domain.PaymentStatusRefunded, b.PaymentStatus)
	s.Contains(b.Outcome.Money, "not charged")
	s.NotContains(s.calls, "CapturePayment", "a rejected request is never charged")
	s.Contains(s.calls, "ReleaseSlot")
	s.Contains(s.calls, "VoidPayment")
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_REJECTED}, s.events())
	s.True(s.env.IsWorkflowCompleted())
}

func (s *workflowSuite) TestTwoRoundNegotiationEndsConfirmedAtTheAcceptedTime() {
	start := t0.Add(10 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	mentorTime, menteeTime := start.Add(24*time.Hour), start.Add(48*time.Hour)
	p1 := s.at(time.Hour, UpdatePropose, Command{Actor: by(mentor), Start: mentorTime, Note: "Tuesday instead?"})
	twice := s.at(2*time.Hour, UpdatePropose, Command{Actor: by(mentor), Start: mentorTime.Add(time.Hour)})
	selfAccept := s.at(3*time.Hour, UpdateAccept, Command{Actor: by(mentor)})
	p2 := s.at(4*time.Hour, UpdatePropose, Command{Actor: by(mentee), Start: menteeTime})
	accepted := s.at(5*time.Hour, UpdateAccept, Command{Actor: by(mentor)})
	s.run(in, 6*time.Hour)

	s.Require().NoError(p1.err)
	s.Equal(domain.StatusNegotiating, p1.booking.Status)
	s.requireRefused(twice, domain.ErrNotYourTurn)
	s.requireRefused(selfAccept, domain.ErrNotYourTurn)
	s.Require().NoError(p2.err)
	s.Equal(domain.RoleMentee, p2.booking.Proposal.By)
	s.Require().NoError(accepted.err)
	b := accepted.booking
	s.Equal(domain.StatusConfirmed, b.Status)
	s.True(b.Start.Equal(menteeTime), "start %s", b.Start)
	s.Equal(menteeTime.Add(time.Hour), b.End)
	s.Nil(b.Proposal)
	s.Contains(s.calls, "MoveSlot "+menteeTime.Format(time.RFC3339))
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_PROPOSED, bookingv1.EventType_EVENT_TYPE_PROPOSED, bookingv1.EventType_EVENT_TYPE_APPROVED}, s.events())
}

func (s *workflowSuite) TestMenteeDecliningAProposalCancelsWithFullRefund() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdatePropose, Command{Actor: by(mentor), Start: in.Booking.Start.Add(time.Hour)})
	declined := s.at(2*time.Hour, UpdateDecline, Command{Actor: by(mentee)})
	s.run(in, 3*time.Hour)
	s.Require().NoError(declined.err)
	s.Equal(domain.StatusCancelled, declined.booking.Status)
	s.Equal(domain.PaymentStatusRefunded, declined.booking.PaymentStatus)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_PROPOSED, bookingv1.EventType_EVENT_TYPE_CANCELLED}, s.events())
}

func (s *workflowSuite) TestUnansweredRequestIsRemindedThenExpiresAfterSevenDays() {
	in := request(t0.Add(30*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	s.run(in, 40*24*time.Hour)

	s.True(s.env.IsWorkflowCompleted())
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_REMINDER, bookingv1.EventType_EVENT_TYPE_EXPIRED}, s.events())
	s.Equal(t0.Add(24*time.Hour), s.booking(1).RemindedAt)
	b := s.last()
	s.Equal(domain.StatusExpired, b.Status)
	s.Equal(t0.Add(7*24*time.Hour), b.UpdatedAt)
	s.Equal(domain.PaymentStatusRefunded, b.PaymentStatus)
	s.Contains(s.calls, "ReleaseSlot")
	s.Contains(s.calls, "VoidPayment")
}

func (s *workflowSuite) TestRequestExpiresAtTheSessionStartWhenThatComesFirst() {
	start := t0.Add(18 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.run(in, 10*24*time.Hour)

	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_EXPIRED}, s.events(), "no reminder: the request expired first")
	s.Equal(start, s.last().UpdatedAt)
	s.Equal(domain.StatusExpired, s.last().Status)
}

func (s *workflowSuite) TestSessionEndsThenAutoCompletes24HoursAfterItsStart() {
	start := t0.Add(3 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	s.run(in, 40*24*time.Hour)

	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_APPROVED, bookingv1.EventType_EVENT_TYPE_SESSION_REMINDER, bookingv1.EventType_EVENT_TYPE_SESSION_ENDED, bookingv1.EventType_EVENT_TYPE_COMPLETED}, s.events())
	s.Equal(start.Add(-24*time.Hour), s.booking(2).UpdatedAt, "both are reminded 24 h before")
	s.Equal(start.Add(time.Hour), s.booking(3).UpdatedAt)
	s.Equal(domain.StatusPendingConfirmation, s.booking(3).Status)
	b := s.last()
	s.Equal(domain.StatusCompleted, b.Status)
	s.Equal(start.Add(24*time.Hour), b.UpdatedAt)
	s.Equal(domain.RoleSystem, b.Outcome.EndedBy)
	s.Contains(s.calls, "ReleasePayout")
	s.True(s.env.IsWorkflowCompleted())
}

func (s *workflowSuite) TestNoSessionReminderWhenApprovedInsideItsWindow() {
	start := t0.Add(10 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	s.run(in, 12*time.Hour)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_APPROVED, bookingv1.EventType_EVENT_TYPE_SESSION_ENDED}, s.events())
}

func (s *workflowSuite) TestMentorMarksNoShowAfterTheSession() {
	start := t0.Add(3 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	noShow := s.at(3*24*time.Hour+2*time.Hour, UpdateMarkNoShow, Command{Actor: by(mentor)})
	s.run(in, 10*24*time.Hour)
	s.Require().NoError(noShow.err)
	s.Equal(domain.StatusNoShow, noShow.booking.Status)
	s.Equal(domain.PaymentStatusPaid, noShow.booking.PaymentStatus, "the payment stands")
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED, bookingv1.EventType_EVENT_TYPE_APPROVED, bookingv1.EventType_EVENT_TYPE_SESSION_REMINDER, bookingv1.EventType_EVENT_TYPE_SESSION_ENDED, bookingv1.EventType_EVENT_TYPE_NO_SHOW}, s.events())
}

func (s *workflowSuite) TestMenteeCancellationInsideTheWindowPaysTheMentor() {
	start := t0.Add(3 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	late := s.at(3*24*time.Hour-2*time.Hour, UpdateCancel, Command{Actor: by(mentee), Reason: "sick"})
	s.run(in, 10*24*time.Hour)
	s.Require().NoError(late.err)
	s.Equal(domain.StatusCancelled, late.booking.Status)
	s.True(late.booking.Outcome.Late)
	s.Contains(s.calls, "SettleCancellation MENTOR_PAID")
	s.Contains(late.booking.Outcome.Money, "minus the 10% commission")
}

func (s *workflowSuite) TestMenteeCancellationAheadOfTheWindowIsRefundedInFull() {
	start := t0.Add(3 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	early := s.at(24*time.Hour, UpdateCancel, Command{Actor: by(mentee)})
	s.run(in, 10*24*time.Hour)
	s.Require().NoError(early.err)
	s.False(early.booking.Outcome.Late)
	s.Equal(domain.PaymentStatusRefunded, early.booking.PaymentStatus)
	s.Equal(int64(5000), early.booking.Refunded.Amount)
	s.Contains(early.booking.Outcome.Money, "Refunded in full: EUR 50.00")
}

func (s *workflowSuite) TestPoliciesCanRefuseLateMenteeCancellationsAndMentorCancellations() {
	start := t0.Add(3 * 24 * time.Hour)
	p := domain.DefaultPolicy()
	p.LateMenteeCancel, p.MentorMayCancel = domain.LateRefused, false
	in := request(start, p, domain.PaymentCard)
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	byMentor := s.at(2*time.Hour, UpdateCancel, Command{Actor: by(mentor)})
	late := s.at(3*24*time.Hour-2*time.Hour, UpdateCancel, Command{Actor: by(mentee)})
	s.run(in, 3*24*time.Hour-time.Hour)
	s.requireRefused(byMentor, domain.ErrMentorCancelForbidden)
	s.requireRefused(late, domain.ErrCancellationRefused)
	s.Equal(domain.StatusConfirmed, s.last().Status)
}

func (s *workflowSuite) TestManualPaymentAwaitsMarkPaid() {
	s.payment = domain.PaymentStatusUnpaid
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentBankTransfer)
	approved := s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	paid := s.at(2*time.Hour, UpdateMarkPaid, Command{Actor: by(mentor)})
	s.run(in, 3*time.Hour)
	s.Require().NoError(approved.err)
	s.Equal(domain.StatusAwaitingPayment, approved.booking.Status)
	s.Require().NoError(paid.err)
	s.Equal(domain.StatusConfirmed, paid.booking.Status)
	s.Equal(domain.PaymentStatusPaid, paid.booking.PaymentStatus)
	s.NotContains(s.calls, "CapturePayment")
}

func (s *workflowSuite) TestApprovalPicksOneOfThePreferredTimes() {
	r := domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "deep-dive", PaymentMethod: domain.PaymentCard,
		PreferredStarts: []time.Time{t0.Add(5 * 24 * time.Hour), t0.Add(6 * 24 * time.Hour)}}
	in := input("1a2b3c4d-0000-4000-8000-000000000001", r, domain.DefaultPolicy())
	none := s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	wrong := s.at(2*time.Hour, UpdateApprove, Command{Actor: by(mentor), Start: t0.Add(7 * 24 * time.Hour)})
	picked := s.at(3*time.Hour, UpdateApprove, Command{Actor: by(mentor), Start: t0.Add(6 * 24 * time.Hour)})
	s.run(in, 4*time.Hour)
	s.requireRefused(none, apperr.Invalid)
	s.requireRefused(wrong, apperr.Invalid)
	s.Require().NoError(picked.err)
	s.Equal(t0.Add(6*24*time.Hour), picked.booking.Start)
	s.Equal(t0.Add(6*24*time.Hour+time.Hour), picked.booking.End)
	s.Equal([]string{"LookUpOffering", "AuthorizePayment", "HoldSlot", "ConfirmSlot", "CapturePayment"}, s.calls)
}

func (s *workflowSuite) TestAutoApprovalAnswersTheRequestWithTheConfirmedBooking() {
	p := domain.DefaultPolicy()
	p.AutoApprove = true
	in := request(t0.Add(10*24*time.Hour), p, domain.PaymentCard)
	created := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	s.run(in, time.Hour)
	s.Require().NoError(created.err)
	s.Equal(domain.StatusConfirmed, created.booking.Status, "the request's answer is the approved booking")
	s.Equal(domain.PaymentStatusPaid, created.booking.PaymentStatus)
	s.NotEmpty(created.booking.MeetingURL)
	// Nobody is asked to decide: no request is announced, only the approval.
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_APPROVED}, s.events())
	s.Equal(string(domain.RoleSystem), s.records[0].Actor.Role)
	s.True(s.records[0].AutoApproved)
}

func (s *workflowSuite) TestAFailedAutoApprovalAnnouncesTheRequestAndWaits() {
	s.confirmErr = toApplicationError(apperr.New(apperr.KindConflict, "MEETING_PROVIDER_REFUSED", "no room"))
	p := domain.DefaultPolicy()
	p.AutoApprove = true
	in := request(t0.Add(10*24*time.Hour), p, domain.PaymentCard)
	created := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	s.run(in, time.Hour)
	s.Require().NoError(created.err)
	s.Equal(domain.StatusPending, created.booking.Status)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED}, s.events())
	s.False(s.records[0].AutoApproved)
}

func (s *workflowSuite) TestBundleRequestsAreApprovedAtOnceWhenTheMentorSaysSo() {
	p := domain.DefaultPolicy()
	p.AutoApproveBundle = true
	s.payment = domain.PaymentStatusNone
	r := domain.Request{MentorID: mentor.ID, MenteeID: mentee.ID, OfferingID: "deep-dive",
		Start: t0.Add(10 * 24 * time.Hour), PaymentMethod: domain.PaymentBundle, BundleID: "bundle-1"}
	s.run(input("7c1d2e3f-0000-4000-8000-000000000002", r, p), time.Hour)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_APPROVED}, s.events())
	s.Equal(domain.StatusConfirmed, s.last().Status)
	s.NotContains(s.calls, "CapturePayment", "a bundle credit is used when the session happens")
}

func (s *workflowSuite) TestCardRequestsStillWaitWhenOnlyBundlesAutoApprove() {
	p := domain.DefaultPolicy()
	p.AutoApproveBundle = true
	s.run(request(t0.Add(10*24*time.Hour), p, domain.PaymentCard), time.Hour)
	s.Equal([]bookingv1.EventType{bookingv1.EventType_EVENT_TYPE_REQUESTED}, s.events())
}

func (s *workflowSuite) TestATakenSlotRefusesTheRequestAndRecordsNothing() {
	s.holdErr = toApplicationError(errSlotTaken)
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	created := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	s.run(in, time.Hour)
	s.requireRefused(created, errSlotTaken)
	s.Empty(s.records)
	s.NotContains(s.calls, "AuthorizePayment")
	s.True(s.env.IsWorkflowCompleted())
}

func (s *workflowSuite) TestADeclinedCardReleasesTheHold() {
	declined := apperr.New(apperr.KindConflict, "CARD_DECLINED", "the card was declined")
	s.authErr = toApplicationError(declined)
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	created := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	s.run(in, time.Hour)
	s.requireRefused(created, declined)
	s.Equal([]string{"HoldSlot", "AuthorizePayment", "ReleaseSlot"}, s.calls)
	s.Empty(s.records)
}

func (s *workflowSuite) TestAnUnavailableCardProviderIsWaitedForNotTakenAsARefusal() {
	s.authDown = 3
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	created := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	s.run(in, time.Hour)
	s.Require().NoError(created.err, "the request must wait for the provider, not fail")
	s.Equal(domain.StatusPending, created.booking.Status)
	s.Equal(domain.PaymentStatusAuthorized, created.booking.PaymentStatus)
	s.Equal([]string{"HoldSlot", "AuthorizePayment", "AuthorizePayment", "AuthorizePayment", "AuthorizePayment"}, s.calls,
		"retried until it answered, and the hold kept")
}

func (s *workflowSuite) TestCreateRetryWithAnotherRequestIsRefused() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	same := s.at(0, UpdateCreate, Command{Actor: by(mentee), Fingerprint: in.Fingerprint})
	other := s.at(time.Minute, UpdateCreate, Command{Actor: by(mentee), Fingerprint: "something else"})
	s.run(in, time.Hour)
	s.Require().NoError(same.err)
	s.Equal(in.Booking.ID, same.booking.ID)
	s.requireRefused(other, domain.ErrRequestReused)
	s.Len(s.records, 1)
}

func (s *workflowSuite) TestIntroContinuationNeedsAReasonToReject() {
	s.offering = Offering{Kind: string(domain.OfferingIntro), Name: "Intro", Duration: 20 * time.Minute}
	s.payment = domain.PaymentStatusNone
	start := t0.Add(3 * 24 * time.Hour)
	in := request(start, domain.DefaultPolicy(), "")
	s.at(time.Hour, UpdateApprove, Command{Actor: by(mentor)})
	s.at(3*24*time.Hour+30*time.Minute, UpdateComplete, Command{Actor: by(mentor)})
	noReason := s.at(3*24*time.Hour+time.Hour, UpdateContinuation, Command{Actor: by(mentor), Approve: false})
	decided := s.at(3*24*time.Hour+2*time.Hour, UpdateContinuation, Command{Actor: by(mentor), Approve: false, Reason: "Not a fit for my skills"})
	s.run(in, 4*24*time.Hour)
	s.requireRefused(noReason, apperr.Invalid)
	s.Require().NoError(decided.err)
	s.Equal(domain.ContinuationRejected, decided.booking.Continuation)
	s.NotContains(s.calls, "ReleasePayout", "a free session has no payout")
	s.NotContains(s.calls, "CapturePayment")
}

func (s *workflowSuite) TestPrivateNotesAreShownOnlyToTheMentorAndNeverAnnounced() {
	in := request(t0.Add(10*24*time.Hour), domain.DefaultPolicy(), domain.PaymentCard)
	notes := s.at(time.Hour, UpdateNotes, Command{Actor: by(mentor), Text: "Seems junior; prepare basics"})
	s.run(in, 2*time.Hour)
	s.Require().NoError(notes.err)
	s.Equal("Seems junior; prepare basics", notes.booking.MentorNotes)
	s.Equal(bookingv1.EventType_EVENT_TYPE_UNSPECIFIED, s.records[1].Event, "notes are saved without an event")
	s.Equal("", fromState(s.records[len(s.records)-1].Booking).VisibleTo(mentee).Snapshot().MentorNotes)
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
