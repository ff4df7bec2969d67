package workflow

import (
	"errors"
	"strconv"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Application errors cross Temporal (from a validator or an activity to the
// client) as ApplicationErrors whose type carries the apperr kind and reason,
// and whose details carry field violations. They are non-retryable, except an
// unavailable dependency's, which is retried until it comes back. A refusal
// (invalid, not found, slot taken, not allowed: the caller's doing, a 4xx) is
// benign: the SDK logs it at DEBUG, not as an ERROR "Activity error.", does
// not count it as a failure in its metrics, and the span is not an error.
const errTypePrefix = "apperr:"

// toApplicationError converts an apperr error; any other error is returned as
// it is (nil stays nil).
func toApplicationError(err error) error {
	var ve *apperr.ValidationError
	if errors.As(err, &ve) {
		return temporal.NewApplicationErrorWithOptions(ve.Error(), errTypePrefix+"invalid",
			temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{ve.Violations}, Category: temporal.ApplicationErrorCategoryBenign})
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		typ := errTypePrefix + strconv.Itoa(int(ae.Kind)) + ":" + ae.Reason
		if ae.Kind == apperr.KindUnavailable {
			// A dependency that is down (the card provider, a database
			// restarting) comes back: the call is retried like any other
			// infrastructure failure instead of failing the command for good.
			return temporal.NewApplicationError(ae.Message, typ)
		}
		opts := temporal.ApplicationErrorOptions{NonRetryable: true}
		if ae.Kind != apperr.KindInternal {
			opts.Category = temporal.ApplicationErrorCategoryBenign
		}
		return temporal.NewApplicationErrorWithOptions(ae.Message, typ, opts)
	}
	return err
}

// FromTemporal recovers the application error carried by err, as returned by
// a workflow update or activity; other errors are returned as they are.
func FromTemporal(err error) error {
	var te *temporal.ApplicationError
	if !errors.As(err, &te) || !strings.HasPrefix(te.Type(), errTypePrefix) {
		return err
	}
	rest := strings.TrimPrefix(te.Type(), errTypePrefix)
	if rest == "invalid" {
		var v apperr.Violations
		if te.HasDetails() && te.Details(&v) == nil && len(v) > 0 {
			return v.Err()
		}
		return apperr.Wrap(apperr.Invalid, "%s", te.Message())
	}
	kind, reason, ok := strings.Cut(rest, ":")
	k, convErr := strconv.Atoi(kind)
	if !ok || convErr != nil {
		return err
	}
	return apperr.New(apperr.Kind(k), reason, te.Message())
}
