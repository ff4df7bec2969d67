// Package grpcapi is the payments service's gRPC transport: it converts
// requests into use-case calls and results (or errors, through apperr) into
// responses.
package grpcapi

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/payments/internal/app"
	"github.com/bookwell/bookwell/services/payments/internal/domain"
	"github.com/bookwell/bookwell/services/payments/internal/protoconv"
)

// Server implements paymentsv1.PaymentsServiceServer.
type Server struct {
	paymentsv1.UnimplementedPaymentsServiceServer
	App *app.Service
	Log *slog.Logger
}

var _ paymentsv1.PaymentsServiceServer = (*Server)(nil)

func (s *Server) fail(ctx context.Context, err error) error { return apperr.ToStatus(ctx, s.Log, err) }

// AuthorizePayment implements the RPC.
func (s *Server) AuthorizePayment(ctx context.Context, r *paymentsv1.AuthorizePaymentRequest) (*paymentsv1.AuthorizePaymentResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.Authorize(ctx, domain.Open{
		BookingID: r.GetBookingId(), MenteeID: r.GetMenteeId(), MentorID: r.GetMentorId(),
		Amount: r.GetAmount(), Currency: r.GetCurrency(), Method: protoconv.Method(r.GetMethod()), Card: r.GetCard(),
	}, r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.AuthorizePaymentResponse{Payment: protoconv.Payment(p)}, nil
}

// CapturePayment implements the RPC.
func (s *Server) CapturePayment(ctx context.Context, r *paymentsv1.CapturePaymentRequest) (*paymentsv1.CapturePaymentResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.Capture(ctx, r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.CapturePaymentResponse{Payment: protoconv.Payment(p)}, nil
}

// VoidPayment implements the RPC.
func (s *Server) VoidPayment(ctx context.Context, r *paymentsv1.VoidPaymentRequest) (*paymentsv1.VoidPaymentResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.Void(ctx, r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.VoidPaymentResponse{Payment: protoconv.Payment(p)}, nil
}

// RefundPayment implements the RPC.
func (s *Server) RefundPayment(ctx context.Context, r *paymentsv1.RefundPaymentRequest) (*paymentsv1.RefundPaymentResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.Refund(ctx, r.GetBookingId(), r.GetAmount(), r.GetNote(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.RefundPaymentResponse{Payment: protoconv.Payment(p)}, nil
}

// MarkPaid implements the RPC.
func (s *Server) MarkPaid(ctx context.Context, r *paymentsv1.MarkPaidRequest) (*paymentsv1.MarkPaidResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.MarkPaid(ctx, r.GetBookingId(), r.GetActorId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.MarkPaidResponse{Payment: protoconv.Payment(p)}, nil
}

// MarkRefunded implements the RPC.
func (s *Server) MarkRefunded(ctx context.Context, r *paymentsv1.MarkRefundedRequest) (*paymentsv1.MarkRefundedResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.MarkRefunded(ctx, r.GetBookingId(), r.GetActorId(), r.GetNote(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.MarkRefundedResponse{Payment: protoconv.Payment(p)}, nil
}

// timeOf is the time of ts in UTC, or the zero time (which validation
// rejects) when it is missing.
func timeOf(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime().UTC()
}

// SettleCancellation implements the RPC.
func (s *Server) SettleCancellation(ctx context.Context, r *paymentsv1.SettleCancellationRequest) (*paymentsv1.SettleCancellationResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.SettleCancellation(ctx, r.GetBookingId(), domain.Cancellation{
		By:           protoconv.CancelledBy(r.GetCancelledBy()),
		SessionStart: timeOf(r.GetSessionStartTime()),
		CancelledAt:  timeOf(r.GetCancelTime()),
	}, r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.SettleCancellationResponse{Payment: protoconv.Payment(p)}, nil
}

// ReleasePayout implements the RPC.
func (s *Server) ReleasePayout(ctx context.Context, r *paymentsv1.ReleasePayoutRequest) (*paymentsv1.ReleasePayoutResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.ReleasePayout(ctx, r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.ReleasePayoutResponse{Payment: protoconv.Payment(p)}, nil
}

// GetPayment implements the RPC.
func (s *Server) GetPayment(ctx context.Context, r *paymentsv1.GetPaymentRequest) (*paymentsv1.GetPaymentResponse, error) {
	caller, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.App.Payment(ctx, r.GetBookingId())
	if err == nil {
		err = mayRead(caller, p)
	}
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.GetPaymentResponse{Payment: protoconv.Payment(p)}, nil
}

// GetMentorBalance implements the RPC.
func (s *Server) GetMentorBalance(ctx context.Context, r *paymentsv1.GetMentorBalanceRequest) (*paymentsv1.GetMentorBalanceResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	bs, err := s.App.MentorBalances(ctx, r.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &paymentsv1.GetMentorBalanceResponse{MentorId: r.GetMentorId()}
	for _, b := range bs {
		out.Balances = append(out.Balances, protoconv.MentorBalance(b))
	}
	return out, nil
}

// ListMentorPayouts implements the RPC.
func (s *Server) ListMentorPayouts(ctx context.Context, r *paymentsv1.ListMentorPayoutsRequest) (*paymentsv1.ListMentorPayoutsResponse, error) {
	if _, err := authorize(ctx, r); err != nil {
		return nil, s.fail(ctx, err)
	}
	ps, next, err := s.App.MentorPayouts(ctx, r.GetMentorId(), int(r.GetPageSize()), r.GetPageToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &paymentsv1.ListMentorPayoutsResponse{NextPageToken: next}
	for _, p := range ps {
		out.Payouts = append(out.Payouts, protoconv.Payout(p))
	}
	return out, nil
}

// CreateBundle implements the RPC.
func (s *Server) CreateBundle(ctx context.Context, r *paymentsv1.CreateBundleRequest) (*paymentsv1.CreateBundleResponse, error) {
	if p, err := identity.From(ctx); err == nil && p.Role == identity.RoleMentee && r.GetMenteeId() == "" {
		r.MenteeId = p.Subject // a mentee buys for themselves
	}
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	b, err := s.App.BuyBundle(ctx, domain.BundleOrder{
		MenteeID: r.GetMenteeId(), MentorID: r.GetMentorId(), Sessions: int(r.GetSessions()),
		Price: r.GetSessionPrice(), Currency: r.GetCurrency(), Card: r.GetCard(),
	}, r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.CreateBundleResponse{Bundle: protoconv.Bundle(b)}, nil
}

// ListMenteeBundles implements the RPC.
func (s *Server) ListMenteeBundles(ctx context.Context, r *paymentsv1.ListMenteeBundlesRequest) (*paymentsv1.ListMenteeBundlesResponse, error) {
	caller, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	bs, err := s.App.MenteeBundles(ctx, r.GetMenteeId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &paymentsv1.ListMenteeBundlesResponse{}
	for _, b := range visibleBundles(caller, bs) {
		out.Bundles = append(out.Bundles, protoconv.Bundle(b))
	}
	return out, nil
}

// UseBundleCredit implements the RPC.
func (s *Server) UseBundleCredit(ctx context.Context, r *paymentsv1.UseBundleCreditRequest) (*paymentsv1.UseBundleCreditResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	b, err := s.App.UseBundleCredit(ctx, r.GetBundleId(), r.GetBookingId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.UseBundleCreditResponse{Bundle: protoconv.Bundle(b)}, nil
}

// CancelBundle implements the RPC.
func (s *Server) CancelBundle(ctx context.Context, r *paymentsv1.CancelBundleRequest) (*paymentsv1.CancelBundleResponse, error) {
	_, err := authorize(ctx, r)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	b, err := s.App.CancelBundle(ctx, r.GetBundleId(), r.GetIdempotencyKey())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &paymentsv1.CancelBundleResponse{Bundle: protoconv.Bundle(b)}, nil
}
