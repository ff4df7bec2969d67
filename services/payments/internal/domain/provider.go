package domain

import "context"

// Authorization is a card hold placed by the card provider.
type Authorization struct {
	Ref   string // the provider's id for the hold
	Last4 string
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
