// Package app holds the payments use cases: each command validates its input,
// runs under its idempotency key in one database transaction, calls the card
// provider, posts balanced ledger transactions and records its events in the
// outbox, so that money moves once and a failure moves none.
package app

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/proto"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
)

// namespace seeds the deterministic ids of ledger transactions and events.
var namespace = uuid.MustParse("6f1f4c9e-2b0a-4a7e-9a55-6d0c2f1e8b11")

// Store is the storage the use cases need.
type Store interface {
	// Idempotent runs fn in one transaction guarded by the key. The first
	// call inserts the key and stores fn's result with its changes; a later
	// or concurrent call with the same key and request gets that result
	// without running fn; one with a different request gets
	// ErrIdempotencyKeyReused. If fn fails, nothing is kept.
	Idempotent(ctx context.Context, k Key, fn func(ctx context.Context, tx Tx) ([]byte, error)) ([]byte, error)
	// Payment reads a booking's payment.
	Payment(ctx context.Context, bookingID string) (domain.Payment, error)
	// MentorBalances sums the ledger for a mentor, one balance per currency.
	MentorBalances(ctx context.Context, mentorID string) ([]domain.MentorBalance, error)
	// MentorPayouts lists up to limit of a mentor's payouts, newest first,
	// after the cursor if it is not nil.
	MentorPayouts(ctx context.Context, mentorID string, after *domain.PayoutCursor, limit int) ([]domain.Payout, error)
	// MenteeBundles lists a mentee's bundles, newest first.
	MenteeBundles(ctx context.Context, menteeID string) ([]domain.Bundle, error)
}

// Key is an idempotency key with the operation and a hash of the request.
type Key struct {
	Key  string
	Op   string
	Hash []byte
}

// Tx is the work done in one transaction.
type Tx interface {
	// Lock serialises operations on one booking or bundle until commit.
	Lock(ctx context.Context, ref string) error
	Payment(ctx context.Context, bookingID string) (domain.Payment, error)
	InsertPayment(ctx context.Context, p domain.Payment) error
	UpdatePayment(ctx context.Context, p domain.Payment) error
	AddRefund(ctx context.Context, bookingID string, r domain.Refund) error
	Bundle(ctx context.Context, id string) (domain.Bundle, error)
	InsertBundle(ctx context.Context, b domain.Bundle) error
	UpdateBundle(ctx context.Context, b domain.Bundle) error
	// AddBundleCredit records that booking used a credit of bundle, paid
	// to the mentor by ledger transaction ledgerTx; false if the booking
	// already used one.
	AddBundleCredit(ctx context.Context, bundleID, bookingID string, ledgerTx uuid.UUID, at time.Time) (bool, error)
	// SetContinuation records a mentor's continuation decision for a
	// mentee: an approval adds the pair, a rejection removes it. A decision
	// older than the one recorded changes nothing.
	SetContinuation(ctx context.Context, d domain.ContinuationDecision) error
	// ContinuationApproved reports whether the mentor approved continuation
	// with the mentee.
	ContinuationApproved(ctx context.Context, mentorID, menteeID string) (bool, error)
	// Post appends a balanced transaction to the ledger.
	Post(ctx context.Context, lt domain.LedgerTx) error
	// PaymentByRef finds the booking whose payment the provider knows as
	// ref; ErrNotFound if none.
	PaymentByRef(ctx context.Context, ref string) (string, error)
	// AddProcessorEvent records a processor event as applied; false if
	// its id was recorded before.
	AddProcessorEvent(ctx context.Context, e domain.ProcessorEvent, bookingID string, changed bool) (bool, error)
	// AddEvent writes an event to the outbox.
	AddEvent(ctx context.Context, ev events.Event) error
}

// Service runs the payments use cases.
type Service struct {
	Store    Store
	Provider domain.CardProvider
	Policy   domain.Policy
	Log      *slog.Logger
	// Now is the clock; time.Now if nil.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func checkKey(v *apperr.Violations, key string) {
	switch {
	case key == "":
		v.Add("idempotency_key", "is required")
	case len(key) > domain.MaxIDLength:
		v.Add("idempotency_key", fmt.Sprintf("must be at most %d characters", domain.MaxIDLength))
	}
}

// envelope is what an idempotency key remembers: a result or an error that
// a retry must see again (a declined card).
type envelope[T any] struct {
	OK  *T          `json:"ok,omitempty"`
	Err *storedFail `json:"err,omitempty"`
}

type storedFail struct {
	Kind    apperr.Kind `json:"kind"`
	Reason  string      `json:"reason"`
	Message string      `json:"message"`
}

// remembered reports errors that are a definite answer from the card
// provider: a retry with the same key must get the same answer.
func remembered(err error) (*apperr.Error, bool) {
	for _, s := range []error{domain.ErrCardDeclined, domain.ErrInsufficientFunds, domain.ErrInvalidCard} {
		if errors.Is(err, s) {
			var ae *apperr.Error
			errors.As(err, &ae)
			return ae, true
		}
	}
	return nil, false
}

// idempotent runs fn under key for the request req (whose JSON form, with
// op, is the request hash).
func idempotent[T any](ctx context.Context, s Store, key, op string, req any, fn func(ctx context.Context, tx Tx) (T, error)) (T, error) {
	var zero T
	body, err := json.Marshal(req)
	if err != nil {
		return zero, err
	}
	h := sha256.Sum256(append([]byte(op+"\x00"), body...))
	raw, err := s.Idempotent(ctx, Key{Key: key, Op: op, Hash: h[:]}, func(ctx context.Context, tx Tx) ([]byte, error) {
		res, err := fn(ctx, tx)
		if err != nil {
			if ae, ok := remembered(err); ok {
				return json.Marshal(envelope[T]{Err: &storedFail{ae.Kind, ae.Reason, ae.Message}})
			}
			return nil, err
		}
		return json.Marshal(envelope[T]{OK: &res})
	})
	if err != nil {
		return zero, err
	}
	var env envelope[T]
	if err := json.Unmarshal(raw, &env); err != nil {
		return zero, fmt.Errorf("decode idempotent result: %w", err)
	}
	if env.Err != nil {
		return zero, apperr.New(env.Err.Kind, env.Err.Reason, env.Err.Message)
	}
	if env.OK == nil {
		return zero, errors.New("idempotent result is empty")
	}
	return *env.OK, nil
}

// ledgerID is the id of the ledger transaction of kind made under key.
func ledgerID(kind, key string) uuid.UUID {
	return uuid.NewSHA1(namespace, []byte("ledger|"+kind+"|"+key))
}

// post posts the transfers as one ledger transaction, if any money moves.
func post(ctx context.Context, tx Tx, ref, kind, currency, key string, ts []domain.Transfer) error {
	lt, ok := domain.NewLedgerTx(ledgerID(kind, key), ref, kind, currency, ts...)
	if !ok {
		return nil
	}
	if !lt.Balanced() {
		return fmt.Errorf("ledger transaction %s does not balance", kind)
	}
	return tx.Post(ctx, lt)
}

// emit writes an event of type t whose id is derived from its subject and
// the key.
func emit(ctx context.Context, tx Tx, t paymentsv1.EventType, key string, at time.Time, msg proto.Message) error {
	ev, err := events.Wrap(uuid.NewSHA1(namespace, []byte("event|"+events.Subject(t)+"|"+key)), t, at, msg)
	if err != nil {
		return err
	}
	return tx.AddEvent(ctx, ev)
}

// providerKey is the key a provider call is made under.
func providerKey(op, key string) string { return "bookwell-" + op + "-" + key }
