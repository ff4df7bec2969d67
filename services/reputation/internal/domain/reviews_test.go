package domain_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/reputation/internal/domain"
)

func TestReviewValidation(t *testing.T) {
	ok := domain.Review{BookingID: "b", MenteeID: "m", Rating: 3}
	if err := domain.ValidateReview(ok); err != nil {
		t.Fatal(err)
	}
	bad := domain.Review{Rating: 0, Text: strings.Repeat("é", domain.MaxReviewText+1)}
	err := domain.ValidateReview(bad)
	var ve *apperr.ValidationError
	if !errors.As(err, &ve) || len(ve.Violations) != 4 {
		t.Fatalf("ValidateReview(bad) = %v, want 4 violations", err)
	}
	if err := domain.CanReview("m", "other", domain.StatusCompleted); !errors.Is(err, domain.ErrNotBookingsMentee) {
		t.Fatalf("review by another mentee: %v", err)
	}
	if err := domain.CanReview("m", "m", domain.StatusConfirmed); !errors.Is(err, domain.ErrBookingNotCompleted) {
		t.Fatalf("review of a confirmed booking: %v", err)
	}
}
