package grpcapi

import (
	"context"
	"log/slog"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// ErasureServer implements bookingv1.ErasureServiceServer.
type ErasureServer struct {
	bookingv1.UnimplementedErasureServiceServer
	erasures *app.Erasures
	log      *slog.Logger
}

// NewErasureServer returns the server of erasures.
func NewErasureServer(e *app.Erasures, log *slog.Logger) *ErasureServer {
	return &ErasureServer{erasures: e, log: log}
}

// EraseUser erases a person's personal data in every context.
func (s *ErasureServer) EraseUser(ctx context.Context, req *bookingv1.EraseUserRequest) (*bookingv1.EraseUserResponse, error) {
	e, err := s.erasures.Erase(ctx, req.GetUserId(), req.GetReason())
	if err != nil {
		return nil, err
	}
	// The audit trail names the erasure, never the person.
	s.log.InfoContext(ctx, "user erased", "erasure_id", e.ID, "pseudonym", e.Pseudonym, "requested_by", e.RequestedBy, "bookings", e.Bookings)
	return &bookingv1.EraseUserResponse{Erasure: protoconv.ErasureToProto(e)}, nil
}
