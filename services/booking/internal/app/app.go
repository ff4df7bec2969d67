// Package app holds the booking context's use cases. Commands go to the
// booking's workflow (package workflow) as Temporal updates; reads come from
// the read model (Store). Every use case acts for the caller in the context
// (pkg/identity), with the rules of authz.go.
package app

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Store is the read model and the mentors' settings.
type Store interface {
	// Get returns one booking, or domain.ErrNotFound.
	Get(ctx context.Context, id string) (*domain.Booking, error)
	// List returns a page of the bookings f selects and the next page's
	// token ("" on the last).
	List(ctx context.Context, f Filter) ([]*domain.Booking, string, error)
	// Each calls fn with every booking f selects, in f's order, reading
	// them as it goes (f's page size and token are ignored).
	Each(ctx context.Context, f Filter, fn func(*domain.Booking) error) error
	// Policy returns a mentor's saved policy, or false when they have none.
	Policy(ctx context.Context, mentorID string) (domain.Policy, bool, error)
	// SavePolicy stores a mentor's policy.
	SavePolicy(ctx context.Context, mentorID string, p domain.Policy) error
	MarketplaceStore
	// Save writes b's row unless the stored one is as new (and ev with it,
	// when not nil).
	Save(ctx context.Context, b *domain.Booking, ev *events.Event) error
}

// Filter selects bookings for a list or an export.
type Filter struct {
	MentorID, MenteeID, OfferingID, SessionID string
	Statuses                                  []domain.Status
	StartAfter, StartBefore                   time.Time
	PaymentMethod                             domain.PaymentMethod
	PaymentStatus                             domain.PaymentStatus
	// Query is a booking id (that booking), an email address or its
	// beginning (the mentee's email starts with it), or else text found
	// anywhere in the mentee's name or email; case-insensitive.
	Query string
	// OrderBy is "start_time" (default), "start_time desc", "create_time" or
	// "create_time desc".
	OrderBy   string
	PageSize  int
	PageToken string
}

// ErrBadPageToken is a page token the store did not make.
var ErrBadPageToken = apperr.New(apperr.KindInvalid, "INVALID_PAGE_TOKEN", "page_token is not one this list returned")

// MenteeHistory is what reputation knows of a mentee.
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
	// Conflict asks scheduling whether a booking's time is still free; it
	// returns what conflicts, or "".
	Conflict func(ctx context.Context, bookingID, mentorID string, s domain.Session) (string, error)
}

// Service carries out booking commands and queries.
type Service struct {
	workflows *workflow.Client
	store     Store
	defaults  domain.Policy
	lookups   Lookups
	now       func() time.Time
}

// New returns the service. defaults is the marketplace's booking policy
// until an admin changes it (UpdateMarketplacePolicy); a mentor's settings
// override it.
func New(w *workflow.Client, s Store, defaults domain.Policy, l Lookups, now func() time.Time) *Service {
	return &Service{workflows: w, store: s, defaults: defaults, lookups: l, now: now}
}

// requestNamespace derives booking ids from request ids.
var requestNamespace = uuid.MustParse("4b0f2f52-2b7e-4f0c-8f57-8d4b1f0e6a11")

// MaxRequestIDLength bounds a client's request_id.
const MaxRequestIDLength = 128

// Create requests a booking for the calling mentee (admin may book for any
// mentee). The same requestID from the same mentee names the same booking, so
// a retried call returns what the first one created.
func (s *Service) Create(ctx context.Context, r domain.Request, requestID, cardToken string) (*domain.Booking, error) {
	a, err := creator(ctx, &r)
	if err != nil {
		return nil, err
	}
	if len(requestID) > MaxRequestIDLength {
		var v apperr.Violations
		v.Add("request_id", "must be at most 128 characters")
		return nil, v.Err()
	}
	id := uuid.NewString()
	if requestID != "" {
		id = uuid.NewSHA1(requestNamespace, []byte(r.MenteeID+"\x00"+requestID)).String()
	}
	policy, err := s.policy(ctx, r.MentorID)
	if err != nil {
		return nil, err
	}
	b, err := domain.NewBooking(id, r, policy, s.now())
	if err != nil {
		return nil, err
	}
	out, err := s.workflows.Create(ctx, b, fingerprint(r), cardToken, a, updateID(ctx, a, workflow.UpdateCreate, id, requestID))
	if err != nil {
		return nil, s.fromWorkflow(ctx, id, err)
	}
	return out, nil
}

// policy is the policy a mentor's new requests get.
func (s *Service) policy(ctx context.Context, mentorID string) (domain.Policy, error) {
	m, err := s.marketplace(ctx)
	if err != nil {
		return domain.Policy{}, err
	}
	p, ok, err := s.store.Policy(ctx, mentorID)
	if err != nil {
		return domain.Policy{}, err
	}
	var mentor *domain.Policy
	if ok {
		mentor = &p
	}
	mp := m.ForMentor(mentor)
	// The card-authentication timeout is the deployment's setting
	// (BOOKING_AUTHENTICATION_TIMEOUT), not the marketplace's or a mentor's.
	mp.AuthenticationTimeout = s.defaults.AuthenticationTimeout
	return mp, nil
}

// Get returns one booking as the caller may see it, with the pending view for
// its mentor.
func (s *Service) Get(ctx context.Context, id string) (*domain.Booking, *PendingView, error) {
	b, a, err := s.visible(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	var view *PendingView
	if b.Status().Open() && a.Role != domain.RoleMentee {
		view = s.pendingView(ctx, b)
	}
	return b.VisibleTo(a), view, nil
}

// ErrClosed is a command to a booking whose workflow has ended.
var ErrClosed = apperr.New(apperr.KindConflict, "BOOKING_CLOSED", "this booking is closed: it ended more than its after-care window ago")

// ErrBusy is a command Temporal could not carry out just now; the caller may
// retry.
var ErrBusy = workflow.ErrBusy

// fromWorkflow tells a closed booking from one that never was.
func (s *Service) fromWorkflow(ctx context.Context, id string, err error) error {
	if !errors.Is(err, workflow.ErrNoWorkflow) {
		return err
	}
	if _, gerr := s.store.Get(ctx, id); gerr == nil {
		return ErrClosed
	}
	return domain.ErrNotFound
}
