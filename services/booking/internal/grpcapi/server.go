// Package grpcapi serves the booking context's gRPC API.
package grpcapi

import (
	"context"
	"log/slog"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/convert"
)

// Server implements bookingv1.BookingServiceServer.
type Server struct {
	bookingv1.UnimplementedBookingServiceServer
	app *app.Service
	log *slog.Logger
}

// New returns the server.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// CreateBooking requests a session.
func (s *Server) CreateBooking(ctx context.Context, req *bookingv1.CreateBookingRequest) (*bookingv1.CreateBookingResponse, error) {
	b, err := s.app.Create(ctx, convert.RequestFromProto(req.GetBooking()), req.GetRequestId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &bookingv1.CreateBookingResponse{Booking: convert.ToProto(b)}, nil
}

// GetBooking returns one booking.
func (s *Server) GetBooking(ctx context.Context, req *bookingv1.GetBookingRequest) (*bookingv1.GetBookingResponse, error) {
	b, err := s.app.Get(ctx, req.GetId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &bookingv1.GetBookingResponse{Booking: convert.ToProto(b)}, nil
}

// ApproveBooking approves a pending booking.
func (s *Server) ApproveBooking(ctx context.Context, req *bookingv1.ApproveBookingRequest) (*bookingv1.ApproveBookingResponse, error) {
	b, err := s.app.Approve(ctx, req.GetId())
	if err != nil {
		return nil, apperr.ToStatus(ctx, s.log, err)
	}
	return &bookingv1.ApproveBookingResponse{Booking: convert.ToProto(b)}, nil
}
