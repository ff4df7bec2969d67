// Package apperr is bookwell's one table of application errors: each has a
// kind (which decides the gRPC code, and so the HTTP status at the gateway), a
// machine-readable reason a front end can switch on, and a message safe to
// show. Anything else that reaches a client is reported as an internal error,
// logged in full and never leaked.
//
// apperr depends on nothing but the standard library, so domain packages can
// define their errors with it. The table from kinds to gRPC codes, and the
// translation to and from gRPC statuses, are in package
// apperr/grpcstatus, which the gRPC servers and clients of pkg/grpcserver
// and pkg/grpcclient apply to every call.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the caller.
type Kind int

// The kinds, with the gRPC code and HTTP status each becomes.
const (
	KindInternal         Kind = iota // 13 INTERNAL, 500
	KindInvalid                      // 3 INVALID_ARGUMENT, 400
	KindNotFound                     // 5 NOT_FOUND, 404
	KindConflict                     // 10 ABORTED, 409: wrong state, slot taken, key reused
	KindAlreadyExists                // 6 ALREADY_EXISTS, 409
	KindPermissionDenied             // 7 PERMISSION_DENIED, 403
	KindUnauthenticated              // 16 UNAUTHENTICATED, 401
	KindRateLimited                  // 8 RESOURCE_EXHAUSTED, 429
	KindUnavailable                  // 14 UNAVAILABLE, 503
)

// Error is an application error.
type Error struct {
	Kind    Kind
	Reason  string // UPPER_SNAKE_CASE, stable: front ends switch on it
	Message string // safe to show to the caller
}

// New returns an application error; define them once, as sentinels.
func New(kind Kind, reason, message string) *Error {
	return &Error{Kind: kind, Reason: reason, Message: message}
}

func (e *Error) Error() string { return e.Message }

// Is matches two errors of the same kind and reason, so a wrapped or re-created
// error (one that crossed a Temporal boundary, say) still matches its sentinel.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Kind == e.Kind && t.Reason == e.Reason
}

// Wrap returns err (a sentinel) with more detail in its message.
func Wrap(err *Error, format string, args ...any) *Error {
	return &Error{Kind: err.Kind, Reason: err.Reason, Message: fmt.Sprintf(format, args...)}
}

// Invalid is the kind and reason of every ValidationError.
var Invalid = New(KindInvalid, "INVALID_ARGUMENT", "invalid request")

// IsApp reports whether err is, or wraps, an application error or a
// validation error: one whose message may be shown to the caller.
func IsApp(err error) bool {
	var ae *Error
	var ve *ValidationError
	return errors.As(err, &ae) || errors.As(err, &ve)
}
