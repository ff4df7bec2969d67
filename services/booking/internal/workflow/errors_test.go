package workflow

import (
	"errors"
	"testing"

	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// A refusal (the caller's doing) crosses Temporal as a benign error, which the
// worker logs at DEBUG and does not count as a failure; a failure of ours or
// of a dependency does not.
func TestRefusalsAreBenign(t *testing.T) {
	for _, c := range []struct {
		err           error
		benign, retry bool
	}{
		{apperr.New(apperr.KindConflict, "SLOT_TAKEN", "the slot is taken"), true, false},
		{apperr.New(apperr.KindPermissionDenied, "NOT_ALLOWED", "no"), true, false},
		{apperr.Wrap(apperr.Invalid, "bad"), true, false},
		{apperr.New(apperr.KindInternal, "BUG", "oops"), false, false},
		{apperr.New(apperr.KindUnavailable, "DOWN", "payments is down"), false, true},
	} {
		var ae *temporal.ApplicationError
		if !errors.As(toApplicationError(c.err), &ae) {
			t.Fatalf("%v: not an application error", c.err)
		}
		if benign := ae.Category() == temporal.ApplicationErrorCategoryBenign; benign != c.benign || ae.NonRetryable() == c.retry {
			t.Errorf("%v: benign %v, non-retryable %v; want benign %v, retried %v", c.err, benign, ae.NonRetryable(), c.benign, c.retry)
		}
		if got := FromTemporal(ae); !errors.Is(got, c.err) && got.Error() != c.err.Error() {
			t.Errorf("%v comes back as %v", c.err, got)
		}
	}
}
