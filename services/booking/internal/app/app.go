// Package app holds the booking context's use cases. Commands go to the
// booking's workflow as Temporal updates; reads come from the read model.
// Every use case acts for the caller in the context (pkg/identity): a mentee
// and a mentor see and act on their own bookings only, admin on all.
package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Store is the read model and the mentors' settings.
type Store interface {
	Get(ctx context.Context, id string) (domain.Booking, error)
	List(ctx context.Context, f postgres.Filter) ([]domain.Booking, string, error)
	Policy(ctx context.Context, mentorID string) (domain.Policy, bool, error)
	SavePolicy(ctx context.Context, mentorID string, p domain.Policy) error
}

// MenteeHistory is what reputation knows of a mentee (seed 000).
type MenteeHistory struct {
	PriorSessions      int
	TotalSpend         domain.Money
	AverageRatingGiven float64
	NoShows            int
}

// Lookups fill in the mentor's pending view; either may be nil.
type Lookups struct {
	// History asks reputation about a mentee.
	History func(ctx context.Context, menteeID string) (MenteeHistory, error)
	// Conflict asks scheduling whether the booking's time is still free; it
	// returns what conflicts, or "".
	Conflict func(ctx context.Context, b domain.Booking) (string, error)
}

// Service carries out booking commands and queries.
type Service struct {
	temporal client.Client
	store    Store
	defaults domain.Policy
	lookups  Lookups
	now      func() time.Time
}

// New returns the service. defaults is the marketplace's policy, which a
// mentor's settings override.
func New(c client.Client, s Store, defaults domain.Policy, l Lookups, now func() time.Time) *Service {
	return &Service{temporal: c, store: s, defaults: defaults, lookups: l, now: now}
}

// actor is the caller as the domain sees them.
func actor(ctx context.Context) (domain.Actor, error) {
	p, err := identity.From(ctx)
	if err != nil {
		return domain.Actor{}, err
	}
	switch p.Role {
	case identity.RoleMentee:
		return domain.Actor{ID: p.Subject, Role: domain.RoleMentee}, nil
	case identity.RoleMentor:
		return domain.Actor{ID: p.Subject, Role: domain.RoleMentor}, nil
	case identity.RoleAdmin:
		return domain.Actor{ID: p.Subject, Role: domain.RoleAdmin}, nil
	}
	return domain.Actor{}, domain.ErrNotAllowedForRole
}

// requestNamespace derives booking ids from request ids.
var requestNamespace = uuid.MustParse("4b0f2f52-2b7e-4f0c-8f57-8d4b1f0e6a11")

// MaxRequestIDLength bounds a client's request_id.
const MaxRequestIDLength = 128

// Create requests a booking for the calling mentee (admin may book for any
// mentee). The same requestID from the same mentee names the same booking, so
// a retried call returns what the first one created.
func (s *Service) Create(ctx context.Context, r domain.Request, requestID, cardToken string) (domain.Booking, error) {
	a, err := actor(ctx)
	if err != nil {
		return domain.Booking{}, err
	}
	switch a.Role {
	case domain.RoleMentee:
		if r.MenteeID == "" {
			r.MenteeID = a.ID
		}
		if r.MenteeID != a.ID {
			return domain.Booking{}, apperr.Wrap(domain.ErrNotAllowedForRole, "a mentee books for themselves")
		}
	case domain.RoleAdmin:
	default:
		return domain.Booking{}, apperr.Wrap(domain.ErrNotAllowedForRole, "sessions are booked by mentees")
	}
	if len(requestID) > MaxRequestIDLength {
		var v apperr.Violations
		v.Add("request_id", "must be at most 128 characters")
		return domain.Booking{}, v.Err()
	}
	id := uuid.NewString()
	if requestID != "" {
		id = uuid.NewSHA1(requestNamespace, []byte(r.MenteeID+"\x00"+requestID)).String()
	}
	policy, err := s.policy(ctx, r.MentorID)
	if err != nil {
		return domain.Booking{}, err
	}
	b, err := domain.NewBooking(id, r, policy, s.now())
	if err != nil {
		return domain.Booking{}, err
	}
	fp := r.Fingerprint()
	updateID := uuid.NewString()
	var out domain.Booking
	err = retryTransient(ctx, func() error {
		// A start operation is used once: make a new one for every attempt.
		start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
			ID:                       workflow.WorkflowID(id),
			TaskQueue:                workflow.TaskQueue,
			WorkflowIDConflictPolicy: enums.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
			// A request that could not be booked (slot taken) may be tried
			// again with the same request_id once its workflow has ended.
			WorkflowIDReusePolicy: enums.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			TypedSearchAttributes: workflow.SearchAttributes(b),
		}, workflow.BookingWorkflow, workflow.Input{Booking: b, Fingerprint: fp, CardToken: cardToken})
		h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
			StartWorkflowOperation: start,
			UpdateOptions: client.UpdateWorkflowOptions{
				UpdateID:     updateID,
				UpdateName:   workflow.UpdateCreate,
				Args:         []any{workflow.Command{Actor: a, Fingerprint: fp}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			},
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, &out)
	})
	if err != nil {
		return domain.Booking{}, s.fromTemporal(ctx, id, err)
	}
	return out, nil
}

// policy is the policy a mentor's new requests get.
func (s *Service) policy(ctx context.Context, mentorID string) (domain.Policy, error) {
	p, ok, err := s.store.Policy(ctx, mentorID)
	if err != nil {
		return domain.Policy{}, err
	}
	if !ok {
		return s.defaults, nil
	}
	return p, nil
}

// visible loads a booking the caller may see; anyone else's is not found.
func (s *Service) visible(ctx context.Context, id string) (domain.Booking, domain.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return domain.Booking{}, a, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return domain.Booking{}, a, domain.ErrNotFound
	}
	b, err := s.store.Get(ctx, id)
	if err != nil {
		return domain.Booking{}, a, err
	}
	if b.CheckRead(a) != nil {
		return domain.Booking{}, a, domain.ErrNotFound
	}
	return b, a, nil
}

// Get returns one booking as the caller may see it, with the pending view for
// its mentor.
func (s *Service) Get(ctx context.Context, id string) (domain.Booking, *PendingView, error) {
	b, a, err := s.visible(ctx, id)
	if err != nil {
		return domain.Booking{}, nil, err
	}
	var view *PendingView
	if b.Status.Open() && a.Role != domain.RoleMentee {
		view = s.pendingView(ctx, b)
	}
	return b.VisibleTo(a), view, nil
}

// Command sends one command to a booking's workflow and returns the booking
// after it.
func (s *Service) Command(ctx context.Context, id, name string, c workflow.Command) (domain.Booking, error) {
	_, a, err := s.visible(ctx, id)
	if err != nil {
		return domain.Booking{}, err
	}
	c.Actor = a
	updateID := uuid.NewString()
	var out domain.Booking
	err = retryTransient(ctx, func() error {
		h, err := s.temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID:   workflow.WorkflowID(id),
			UpdateID:     updateID,
			UpdateName:   name,
			Args:         []any{c},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, &out)
	})
	if err != nil {
		return domain.Booking{}, s.fromTemporal(ctx, id, err)
	}
	return out, nil
}

// ErrClosed is a command to a booking whose workflow has ended.
var ErrClosed = apperr.New(apperr.KindConflict, "BOOKING_CLOSED", "this booking is closed: it ended more than its after-care window ago")

// fromTemporal maps what Temporal returns to the booking context's errors.
func (s *Service) fromTemporal(ctx context.Context, id string, err error) error {
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		if _, gerr := s.store.Get(ctx, id); gerr == nil {
			return ErrClosed
		}
		return domain.ErrNotFound
	}
	if err = workflow.FromTemporal(err); isApp(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	// Temporal's own failure: the caller learns it may retry, not its
	// details; they are logged where the call is answered.
	return fmt.Errorf("%w: %v", ErrBusy, err)
}

// ErrBusy is a command Temporal could not carry out just now.
var ErrBusy = apperr.New(apperr.KindUnavailable, "BOOKING_BUSY", "bookings are busy just now; please try again")

func isApp(err error) bool {
	var ae *apperr.Error
	var ve *apperr.ValidationError
	return errors.As(err, &ae) || errors.As(err, &ve)
}

// retryTransient runs call up to three times while Temporal answers with a
// failure that may pass (unavailable, internal, overloaded). Every attempt
// carries the same update id, so Temporal applies the command once.
func retryTransient(ctx context.Context, call func() error) error {
	var err error
	for attempt, wait := 0, 100*time.Millisecond; attempt < 3; attempt, wait = attempt+1, wait*3 {
		if err = call(); err == nil || !transient(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
	}
	return err
}

func transient(err error) bool {
	var te *temporal.ApplicationError
	if errors.As(err, &te) {
		return false // the workflow answered
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Internal, codes.ResourceExhausted, codes.Unknown, codes.Aborted:
		return true
	}
	return false
}
