// Package apperr is bookwell's one table of application errors: each has a
// kind (which decides the gRPC code, and so the HTTP status at the gateway), a
// machine-readable reason a front end can switch on, and a message safe to
// show. Anything else that reaches a client is reported as an internal error,
// logged in full and never leaked.
package apperr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
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

var codeOf = map[Kind]codes.Code{
	KindInternal:         codes.Internal,
	KindInvalid:          codes.InvalidArgument,
	KindNotFound:         codes.NotFound,
	KindConflict:         codes.Aborted,
	KindAlreadyExists:    codes.AlreadyExists,
	KindPermissionDenied: codes.PermissionDenied,
	KindUnauthenticated:  codes.Unauthenticated,
	KindRateLimited:      codes.ResourceExhausted,
	KindUnavailable:      codes.Unavailable,
}

// Domain is the ErrorInfo domain of every bookwell error.
const Domain = "bookwell.app"

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

// ToStatus turns err into the gRPC status a client sees. Application errors
// keep their message and reason; validation errors carry BadRequest field
// violations; context errors become CANCELED or DEADLINE_EXCEEDED; anything
// else is logged and becomes a bare INTERNAL.
func ToStatus(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !isApp(err) {
		return err // already a status (from a downstream call)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		br := &errdetails.BadRequest{}
		for _, v := range ve.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		st, _ := status.New(codes.InvalidArgument, ve.Error()).WithDetails(br,
			&errdetails.ErrorInfo{Reason: Invalid.Reason, Domain: Domain})
		return st.Err()
	}
	var ae *Error
	if errors.As(err, &ae) {
		st, _ := status.New(codeOf[ae.Kind], ae.Message).WithDetails(&errdetails.ErrorInfo{Reason: ae.Reason, Domain: Domain})
		return st.Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "request timed out")
	}
	log.ErrorContext(ctx, "internal error", "err", err)
	return status.Error(codes.Internal, "internal error")
}

func isApp(err error) bool {
	var ae *Error
	var ve *ValidationError
	return errors.As(err, &ae) || errors.As(err, &ve)
}

// FromStatus turns a status from a downstream bookwell service back into an
// application error, so it can be passed on or matched against sentinels.
func FromStatus(err error) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.OK {
		return err
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			var v Violations
			for _, fv := range d.GetFieldViolations() {
				v.Add(fv.GetField(), fv.GetDescription())
			}
			if len(v) > 0 {
				return v.Err()
			}
		case *errdetails.ErrorInfo:
			if d.GetDomain() == Domain {
				for k, c := range codeOf {
					if c == st.Code() {
						return New(k, d.GetReason(), st.Message())
					}
				}
			}
		}
	}
	return err
}
