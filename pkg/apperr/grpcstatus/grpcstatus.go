// Package grpcstatus carries bookwell's application errors (package apperr)
// across gRPC: the one table from an error's kind to its gRPC code, Encode
// for a server's answer and Decode for a client's, and the interceptors that
// apply them to every call, so handlers and callers deal in application
// errors only.
//
// An application error travels as a status with its code, its message and a
// google.rpc.ErrorInfo carrying its reason in bookwell's Domain; bad input
// also carries google.rpc.BadRequest field violations. A dependency out of
// reach becomes UNAVAILABLE; anything else is logged and becomes a bare
// INTERNAL: nothing internal leaks to a client.
package grpcstatus

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bookwell/bookwell/pkg/apperr"
)

// Domain is the ErrorInfo domain of every bookwell error.
const Domain = "bookwell.app"

// codeOf is the gRPC code of each kind; grpc-gateway turns the code into the
// HTTP status (see apperr.Kind).
var codeOf = map[apperr.Kind]codes.Code{
	apperr.KindInternal:         codes.Internal,
	apperr.KindInvalid:          codes.InvalidArgument,
	apperr.KindNotFound:         codes.NotFound,
	apperr.KindConflict:         codes.Aborted,
	apperr.KindAlreadyExists:    codes.AlreadyExists,
	apperr.KindPermissionDenied: codes.PermissionDenied,
	apperr.KindUnauthenticated:  codes.Unauthenticated,
	apperr.KindRateLimited:      codes.ResourceExhausted,
	apperr.KindUnavailable:      codes.Unavailable,
}

// Code is the gRPC code of an error of kind k.
func Code(k apperr.Kind) codes.Code { return codeOf[k] }

// New returns a status with code and message and an ErrorInfo detail with
// reason in bookwell's domain: the shape of every bookwell error.
func New(code codes.Code, reason, message string) *status.Status {
	st, err := status.New(code, message).WithDetails(&errdetails.ErrorInfo{Reason: reason, Domain: Domain})
	if err != nil { // only if ErrorInfo could not be marshalled into an Any
		return status.New(code, message)
	}
	return st
}

// Encode turns err into the gRPC status error a client sees. Application
// errors keep their message and reason; validation errors carry BadRequest
// field violations; context errors become CANCELLED or DEADLINE_EXCEEDED; a
// status from a downstream call passes as it is; a dependency that could not
// be reached or went away mid-call (the database restarting, a connection
// cut) is logged and becomes UNAVAILABLE, which a client retries; anything
// else is logged and becomes a bare INTERNAL.
func Encode(ctx context.Context, log *slog.Logger, err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !apperr.IsApp(err) {
		return err
	}
	var ve *apperr.ValidationError
	if errors.As(err, &ve) {
		br := &errdetails.BadRequest{}
		for _, v := range ve.Violations {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: v.Field, Description: v.Description})
		}
		st, _ := status.New(codes.InvalidArgument, ve.Error()).WithDetails(br,
			&errdetails.ErrorInfo{Reason: apperr.Invalid.Reason, Domain: Domain})
		return st.Err()
	}
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return New(codeOf[ae.Kind], ae.Reason, ae.Message).Err()
	}
	switch {
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, "request cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, "request timed out")
	}
	if unreachable(err) {
		if log != nil {
			log.WarnContext(ctx, "a dependency is unavailable", "err", err)
		}
		return status.Error(codes.Unavailable, "the service is unavailable; retry later")
	}
	if log != nil {
		log.ErrorContext(ctx, "internal error", "err", err)
	}
	return status.Error(codes.Internal, "internal error")
}

// unreachable says whether err is a dependency that could not be reached or
// went away mid-call: a network error, a connection cut short, or a Postgres
// error of class 08 (connection exception) or 57P (the server shutting down,
// restarting, or terminating the session).
func unreachable(err error) bool {
	var pg interface{ SQLState() string }
	if errors.As(err, &pg) {
		code := pg.SQLState()
		return strings.HasPrefix(code, "08") || strings.HasPrefix(code, "57P")
	}
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF)
}

// Decode turns a status from a downstream bookwell service back into the
// application error it encodes, so it can be passed on or matched against
// sentinels with errors.Is. Any other error is returned as it is.
func Decode(err error) error {
	st, ok := status.FromError(err)
	if !ok || st.Code() == codes.OK {
		return err
	}
	for _, d := range st.Details() {
		switch d := d.(type) {
		case *errdetails.BadRequest:
			var v apperr.Violations
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
						return apperr.New(k, d.GetReason(), st.Message())
					}
				}
			}
		}
	}
	return err
}

// UnaryServerInterceptor encodes every error a handler (or an inner
// interceptor) returns.
func UnaryServerInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		resp, err := handler(ctx, req)
		if err != nil {
			return nil, Encode(ctx, log, err)
		}
		return resp, nil
	}
}

// StreamServerInterceptor encodes the error a streaming handler returns.
func StreamServerInterceptor(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		return Encode(ss.Context(), log, handler(srv, ss))
	}
}

// UnaryClientInterceptor decodes every error a call returns.
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return Decode(invoker(ctx, method, req, reply, cc, opts...))
	}
}
