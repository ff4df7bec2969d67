package workflow

import (
	"errors"
	"strconv"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Application errors cross Temporal (from a validator or an activity to the
// client) as non-retryable ApplicationErrors whose type carries the apperr kind
// and reason, and whose details carry field violations.
const errTypePrefix = "apperr:"

// toApplicationError converts an apperr error; any other error is returned as
// it is (nil stays nil).
func toApplicationError(err error) error {
	var ve *apperr.ValidationError
	if errors.As(err, &ve) {
		return temporal.NewApplicationErrorWithOptions(ve.Error(), errTypePrefix+"invalid",
			temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{ve.Violations}})
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return temporal.NewNonRetryableApplicationError(ae.Message,
			errTypePrefix+strconv.Itoa(int(ae.Kind))+":"+ae.Reason, nil)
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
