package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/genproto/googleapis/rpc/code"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/bookwell/bookwell/pkg/apperr/grpcstatus"
)

// maxMessage bounds the message of an error that did not come from a
// bookwell service (a JSON decoder's may quote the input).
const maxMessage = 300

// errorHandler writes a service's error, or grpc-gateway's own (bad JSON, a
// service down), as google.rpc.Status JSON. A bookwell error passes as is,
// details and all; any other gets an ErrorInfo reason named after its code,
// and those that could carry internal detail (a dial error naming an
// address, say) are logged and replaced by a plain message.
func errorHandler(log *slog.Logger) runtime.ErrorHandlerFunc {
	return func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, err error) {
		runtime.DefaultHTTPErrorHandler(ctx, mux, m, w, r, clean(ctx, log, err))
	}
}

func clean(ctx context.Context, log *slog.Logger, err error) error {
	var hs *runtime.HTTPStatusError
	if errors.As(err, &hs) {
		inner := hs.Err
		if _, ok := status.FromError(inner); !ok {
			c := codes.InvalidArgument
			if hs.HTTPStatus >= 500 {
				c = codes.Internal
			}
			inner = status.Error(c, http.StatusText(hs.HTTPStatus))
		}
		return &runtime.HTTPStatusError{HTTPStatus: hs.HTTPStatus, Err: clean(ctx, log, inner)}
	}
	st := status.Convert(err)
	for _, d := range st.Details() {
		if _, ok := d.(*errdetails.ErrorInfo); ok {
			return err
		}
	}
	switch st.Code() {
	case codes.Unknown, codes.Internal, codes.DataLoss, codes.Unimplemented:
		log.ErrorContext(ctx, "service error", "code", st.Code().String(), "err", st.Message())
		return grpcstatus.New(codes.Internal, "INTERNAL", "internal error").Err()
	case codes.Unavailable:
		log.WarnContext(ctx, "service unavailable", "err", st.Message())
		return grpcstatus.New(codes.Unavailable, "UNAVAILABLE", "the service is unavailable; retry later").Err()
	case codes.DeadlineExceeded:
		return grpcstatus.New(codes.DeadlineExceeded, "DEADLINE_EXCEEDED", "request timed out").Err()
	case codes.Canceled:
		return grpcstatus.New(codes.Canceled, "CANCELLED", "request cancelled").Err()
	}
	msg := st.Message()
	if len(msg) > maxMessage {
		msg = msg[:maxMessage] + "…"
	}
	out, derr := status.New(st.Code(), msg).WithDetails(&errdetails.ErrorInfo{Reason: code.Code(st.Code()).String(), Domain: grpcstatus.Domain})
	if derr != nil {
		return err
	}
	p := out.Proto()
	p.Details = append(st.Proto().GetDetails(), p.Details...)
	return status.FromProto(p).Err()
}

// routingErrorHandler answers a path no route matches (404), a method the
// path does not take (405), or a malformed path (400).
func routingErrorHandler(log *slog.Logger) runtime.RoutingErrorHandlerFunc {
	eh := errorHandler(log)
	return func(ctx context.Context, mux *runtime.ServeMux, m runtime.Marshaler, w http.ResponseWriter, r *http.Request, httpStatus int) {
		var st *status.Status
		switch httpStatus {
		case http.StatusMethodNotAllowed:
			st = grpcstatus.New(codes.Unimplemented, "METHOD_NOT_ALLOWED", "this path does not take "+r.Method)
		case http.StatusNotFound:
			st = grpcstatus.New(codes.NotFound, "ROUTE_NOT_FOUND", "no such route")
		default:
			httpStatus = http.StatusBadRequest
			st = grpcstatus.New(codes.InvalidArgument, "INVALID_ARGUMENT", "malformed request path")
		}
		eh(ctx, mux, m, w, r, &runtime.HTTPStatusError{HTTPStatus: httpStatus, Err: st.Err()})
	}
}
