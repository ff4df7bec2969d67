package domain

import (
	"context"
	"time"
)

// Authorization is a card hold placed by the card provider, or, when
// Action is not nil, one that waits for the cardholder to authenticate (3-D
// Secure) before it holds anything.
type Authorization struct {
	Ref   string // the provider's id for the hold
	Last4 string
	// ExpiresAt is when the hold lapses at the provider unless captured.
	ExpiresAt time.Time
	// Action is what the cardholder's browser needs to authenticate; nil
	// when the hold is placed.
	Action *NextAction
}

// NextAction is what a front end needs to complete a card's authentication.
type NextAction struct {
	ClientSecret string `json:"client_secret"`
	RedirectURL  string `json:"redirect_url,omitempty"`
}

// CardCharge asks the provider for a hold.
type CardCharge struct {
	Amount   int64
	Currency string
	Card     string // a card number or a provider token
	// Key makes the provider call idempotent: the same key gives the same
	// hold, never a second one.
	Key string
}

// CardProvider is the port to a card processor. Every call is idempotent
// under its key. Errors are ErrCardDeclined, ErrInsufficientFunds,
// ErrInvalidCard, or ErrProviderUnavailable when the provider cannot be
// reached (then nothing was charged).
type CardProvider interface {
	// Authorize places a hold of c.Amount on the card.
	Authorize(ctx context.Context, c CardCharge) (Authorization, error)
	// Capture charges amount of the hold ref.
	Capture(ctx context.Context, ref string, amount int64, key string) error
	// Void releases the hold ref.
	Void(ctx context.Context, ref, key string) error
	// Refund gives amount of the captured charge ref back.
	Refund(ctx context.Context, ref string, amount int64, key string) error
}
