// Package grpcapi is the payments service's gRPC transport: it converts
// requests with protoconv, calls the use cases (which check who is asking)
// and converts their results. Errors go back as they are: the gRPC server
// turns them into statuses (pkg/grpcserver).
package grpcapi

import (
	"context"
	"log/slog"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// Server implements paymentsv1.PaymentsServiceServer.
type Server struct {
	paymentsv1.UnimplementedPaymentsServiceServer
	app *app.Service
	log *slog.Logger
	// DeadLetters are the dead letters of the service's consumers, for
	// ListDeadLetters and RedriveDeadLetter.
	DeadLetters consumer.DeadLetters
}

var _ paymentsv1.PaymentsServiceServer = (*Server)(nil)

// New returns the server for a.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// AuthorizePayment implements the RPC.
func (s *Server) AuthorizePayment(ctx context.Context, r *paymentsv1.AuthorizePaymentRequest) (*paymentsv1.AuthorizePaymentResponse, error) {
	p, err := s.app.Authorize(ctx, protoconv.OpenFromProto(r), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.AuthorizePaymentResponse{Payment: protoconv.PaymentToProto(p), NextAction: protoconv.NextActionToProto(p.Action)}, nil
}

// CapturePayment implements the RPC.
func (s *Server) CapturePayment(ctx context.Context, r *paymentsv1.CapturePaymentRequest) (*paymentsv1.CapturePaymentResponse, error) {
	p, err := s.app.Capture(ctx, r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.CapturePaymentResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// VoidPayment implements the RPC.
func (s *Server) VoidPayment(ctx context.Context, r *paymentsv1.VoidPaymentRequest) (*paymentsv1.VoidPaymentResponse, error) {
	p, err := s.app.Void(ctx, r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.VoidPaymentResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// RefundPayment implements the RPC.
func (s *Server) RefundPayment(ctx context.Context, r *paymentsv1.RefundPaymentRequest) (*paymentsv1.RefundPaymentResponse, error) {
	p, err := s.app.Refund(ctx, r.GetBookingId(), r.GetAmount(), r.GetNote(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.RefundPaymentResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// MarkPaid implements the RPC.
func (s *Server) MarkPaid(ctx context.Context, r *paymentsv1.MarkPaidRequest) (*paymentsv1.MarkPaidResponse, error) {
	p, err := s.app.MarkPaid(ctx, r.GetBookingId(), r.GetActorId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.MarkPaidResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// MarkRefunded implements the RPC.
func (s *Server) MarkRefunded(ctx context.Context, r *paymentsv1.MarkRefundedRequest) (*paymentsv1.MarkRefundedResponse, error) {
	p, err := s.app.MarkRefunded(ctx, r.GetBookingId(), r.GetActorId(), r.GetNote(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.MarkRefundedResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// SettleCancellation implements the RPC.
func (s *Server) SettleCancellation(ctx context.Context, r *paymentsv1.SettleCancellationRequest) (*paymentsv1.SettleCancellationResponse, error) {
	p, err := s.app.SettleCancellation(ctx, r.GetBookingId(), protoconv.CancellationFromProto(r, s.app.Policy), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.SettleCancellationResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// ReleasePayout implements the RPC.
func (s *Server) ReleasePayout(ctx context.Context, r *paymentsv1.ReleasePayoutRequest) (*paymentsv1.ReleasePayoutResponse, error) {
	var commission *int64
	if r.CommissionBps != nil {
		c := int64(r.GetCommissionBps())
		commission = &c
	}
	p, err := s.app.ReleasePayoutAt(ctx, r.GetBookingId(), r.GetIdempotencyKey(), commission)
	if err != nil {
		return nil, err
	}
	return &paymentsv1.ReleasePayoutResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// GetPayment implements the RPC.
func (s *Server) GetPayment(ctx context.Context, r *paymentsv1.GetPaymentRequest) (*paymentsv1.GetPaymentResponse, error) {
	p, err := s.app.Payment(ctx, r.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.GetPaymentResponse{Payment: protoconv.PaymentToProto(p)}, nil
}

// GetMentorBalance implements the RPC.
func (s *Server) GetMentorBalance(ctx context.Context, r *paymentsv1.GetMentorBalanceRequest) (*paymentsv1.GetMentorBalanceResponse, error) {
	bs, err := s.app.MentorBalances(ctx, r.GetMentorId())
	if err != nil {
		return nil, err
	}
	out := &paymentsv1.GetMentorBalanceResponse{MentorId: r.GetMentorId()}
	for _, b := range bs {
		out.Balances = append(out.Balances, protoconv.MentorBalanceToProto(b))
	}
	return out, nil
}

// ListMentorPayouts implements the RPC.
func (s *Server) ListMentorPayouts(ctx context.Context, r *paymentsv1.ListMentorPayoutsRequest) (*paymentsv1.ListMentorPayoutsResponse, error) {
	ps, next, err := s.app.MentorPayouts(ctx, r.GetMentorId(), int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := &paymentsv1.ListMentorPayoutsResponse{NextPageToken: next}
	for _, p := range ps {
		out.Payouts = append(out.Payouts, protoconv.PayoutToProto(p))
	}
	return out, nil
}

// CreateBundle implements the RPC.
func (s *Server) CreateBundle(ctx context.Context, r *paymentsv1.CreateBundleRequest) (*paymentsv1.CreateBundleResponse, error) {
	b, err := s.app.BuyBundle(ctx, protoconv.BundleOrderFromProto(r), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.CreateBundleResponse{Bundle: protoconv.BundleToProto(b)}, nil
}

// ListMenteeBundles implements the RPC.
func (s *Server) ListMenteeBundles(ctx context.Context, r *paymentsv1.ListMenteeBundlesRequest) (*paymentsv1.ListMenteeBundlesResponse, error) {
	bs, err := s.app.MenteeBundles(ctx, r.GetMenteeId())
	if err != nil {
		return nil, err
	}
	out := &paymentsv1.ListMenteeBundlesResponse{}
	for _, b := range bs {
		out.Bundles = append(out.Bundles, protoconv.BundleToProto(b))
	}
	return out, nil
}

// UseBundleCredit implements the RPC.
func (s *Server) UseBundleCredit(ctx context.Context, r *paymentsv1.UseBundleCreditRequest) (*paymentsv1.UseBundleCreditResponse, error) {
	b, err := s.app.UseBundleCredit(ctx, r.GetBundleId(), r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.UseBundleCreditResponse{Bundle: protoconv.BundleToProto(b)}, nil
}

// CancelBundle implements the RPC.
func (s *Server) CancelBundle(ctx context.Context, r *paymentsv1.CancelBundleRequest) (*paymentsv1.CancelBundleResponse, error) {
	b, err := s.app.CancelBundle(ctx, r.GetBundleId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, err
	}
	return &paymentsv1.CancelBundleResponse{Bundle: protoconv.BundleToProto(b)}, nil
}
