// Package grpcapi serves the booking context's gRPC API.
package grpcapi

import (
	"bytes"
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/api/httpbody"
	"google.golang.org/grpc/metadata"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/identity"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// Server implements bookingv1.BookingServiceServer.
type Server struct {
	bookingv1.UnimplementedBookingServiceServer
	app    *app.Service
	log    *slog.Logger
	tokens *identity.Verifier
}

// New returns the server. tokens checks the bearer token of streaming calls,
// which the server's identity interceptor (unary) does not see.
func New(a *app.Service, log *slog.Logger, tokens *identity.Verifier) *Server {
	return &Server{app: a, log: log, tokens: tokens}
}

// streamCaller puts a streaming call's caller in its context, as the
// identity interceptor does for unary calls.
func (s *Server) streamCaller(ctx context.Context) (context.Context, error) {
	if _, err := identity.From(ctx); err == nil {
		return ctx, nil
	}
	tok := identity.Token(ctx)
	if tok == "" {
		return ctx, identity.ErrUnauthenticated
	}
	p, err := s.tokens.Verify(tok)
	if err != nil {
		return ctx, err
	}
	return identity.With(ctx, p), nil
}

func (s *Server) fail(ctx context.Context, err error) error {
	if errors.Is(err, app.ErrBusy) {
		s.log.WarnContext(ctx, "temporal could not carry out a command", "err", err)
	}
	return err
}

// IdempotencyKeyHeader is the gRPC metadata that carries the client's
// idempotency key (the gateway forwards REST's Idempotency-Key as it): a
// command sent again with the same key gets the first one's answer.
const IdempotencyKeyHeader = "idempotency-key"

// command runs one command with the caller's idempotency key and converts
// the booking it returns.
func (s *Server) command(ctx context.Context, run func(ctx context.Context) (*domain.Booking, error)) (*bookingv1.Booking, error) {
	b, err := run(keyed(ctx))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return protoconv.BookingToProto(b), nil
}

// keyed passes the idempotency key the call carries on to the use case.
func keyed(ctx context.Context) context.Context {
	if keys := metadata.ValueFromIncomingContext(ctx, IdempotencyKeyHeader); len(keys) == 1 {
		return app.WithIdempotencyKey(ctx, keys[0])
	}
	return ctx
}

// CreateBooking requests a session.
func (s *Server) CreateBooking(ctx context.Context, req *bookingv1.CreateBookingRequest) (*bookingv1.CreateBookingResponse, error) {
	b, err := s.app.Create(keyed(ctx), protoconv.RequestFromProto(req.GetBooking()), req.GetRequestId(), req.GetCardToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.CreateBookingResponse{Booking: protoconv.BookingToProto(b)}, nil
}

// GetBooking returns one booking.
func (s *Server) GetBooking(ctx context.Context, req *bookingv1.GetBookingRequest) (*bookingv1.GetBookingResponse, error) {
	b, view, err := s.app.Get(ctx, req.GetId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp := &bookingv1.GetBookingResponse{Booking: protoconv.BookingToProto(b)}
	resp.PendingView = pendingViewToProto(view)
	return resp, nil
}

func listQuery(req *bookingv1.ListBookingsRequest) app.ListQuery {
	q := app.ListQuery{Filter: app.Filter{
		MentorID: req.GetMentorId(), MenteeID: req.GetMenteeId(), OfferingID: req.GetOfferingId(),
		StartAfter: protoconv.TimeFromProto(req.GetStartAfter()), StartBefore: protoconv.TimeFromProto(req.GetStartBefore()),
		PaymentMethod: protoconv.PaymentMethodFromProto(req.GetPaymentMethod()),
		Query:         req.GetQuery(), OrderBy: req.GetOrderBy(),
		PageSize: int(req.GetPageSize()), PageToken: req.GetPageToken(),
	}, Upcoming: req.GetUpcoming(), Unpaid: req.GetUnpaid()}
	for _, st := range req.GetStatuses() {
		if d := protoconv.StatusFromProto(st); d != "" {
			q.Statuses = append(q.Statuses, d)
		}
	}
	return q
}

// ListBookings lists the caller's bookings.
func (s *Server) ListBookings(ctx context.Context, req *bookingv1.ListBookingsRequest) (*bookingv1.ListBookingsResponse, error) {
	bs, next, err := s.app.List(ctx, listQuery(req))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp := &bookingv1.ListBookingsResponse{NextPageToken: next}
	for _, b := range bs {
		resp.Bookings = append(resp.Bookings, protoconv.BookingToProto(b))
	}
	return resp, nil
}

// ExportBookings returns the selected bookings as CSV in one message
// (deprecated: StreamBookingsExport).
func (s *Server) ExportBookings(ctx context.Context, req *bookingv1.ExportBookingsRequest) (*httpbody.HttpBody, error) {
	var data bytes.Buffer
	if err := s.app.Export(ctx, exportQuery(req), req.GetBom(), &data); err != nil {
		return nil, s.fail(ctx, err)
	}
	return &httpbody.HttpBody{ContentType: csvType, Data: data.Bytes()}, nil
}

// StreamBookingsExport streams the selected bookings as CSV, in chunks of
// about exportChunk bytes written as the rows are read.
func (s *Server) StreamBookingsExport(req *bookingv1.ExportBookingsRequest, stream bookingv1.BookingService_StreamBookingsExportServer) error {
	w := &chunks{send: func(b []byte) error {
		return stream.Send(&httpbody.HttpBody{ContentType: csvType, Data: b})
	}}
	ctx, err := s.streamCaller(stream.Context())
	if err != nil {
		return s.fail(ctx, err)
	}
	if err := s.app.Export(ctx, exportQuery(req), req.GetBom(), w); err != nil {
		if w.sent {
			return err // the answer has begun: the stream ends in error
		}
		return s.fail(ctx, err)
	}
	return w.flush()
}

const csvType = "text/csv; charset=utf-8"

func exportQuery(req *bookingv1.ExportBookingsRequest) app.ListQuery {
	filter := req.GetFilter()
	if filter == nil {
		filter = &bookingv1.ListBookingsRequest{}
	}
	return listQuery(filter)
}

// exportChunk is about how much of an export one message carries.
const exportChunk = 32 << 10

// chunks is an io.Writer that sends what is written in messages of about
// exportChunk bytes.
type chunks struct {
	send func([]byte) error
	buf  []byte
	sent bool
}

func (c *chunks) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	if len(c.buf) >= exportChunk {
		if err := c.flush(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

func (c *chunks) flush() error {
	if len(c.buf) == 0 && c.sent {
		return nil
	}
	c.sent = true
	err := c.send(c.buf)
	c.buf = make([]byte, 0, exportChunk+4096)
	return err
}

// ApproveBooking approves a pending booking.
func (s *Server) ApproveBooking(ctx context.Context, req *bookingv1.ApproveBookingRequest) (*bookingv1.ApproveBookingResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.Approve(ctx, req.GetId(), protoconv.TimeFromProto(req.GetStartTime()))
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.ApproveBookingResponse{Booking: b}, nil
}

// RejectBooking rejects a request.
func (s *Server) RejectBooking(ctx context.Context, req *bookingv1.RejectBookingRequest) (*bookingv1.RejectBookingResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.Reject(ctx, req.GetId(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.RejectBookingResponse{Booking: b}, nil
}

// ProposeTime proposes another time.
func (s *Server) ProposeTime(ctx context.Context, req *bookingv1.ProposeTimeRequest) (*bookingv1.ProposeTimeResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.Propose(ctx, req.GetId(), protoconv.TimeFromProto(req.GetStartTime()), req.GetNote())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.ProposeTimeResponse{Booking: b}, nil
}

// AcceptProposal accepts the open proposal.
func (s *Server) AcceptProposal(ctx context.Context, req *bookingv1.AcceptProposalRequest) (*bookingv1.AcceptProposalResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.Accept(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.AcceptProposalResponse{Booking: b}, nil
}

// DeclineProposal declines the open proposal.
func (s *Server) DeclineProposal(ctx context.Context, req *bookingv1.DeclineProposalRequest) (*bookingv1.DeclineProposalResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.Decline(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.DeclineProposalResponse{Booking: b}, nil
}

// CancelBooking cancels a booking.
func (s *Server) CancelBooking(ctx context.Context, req *bookingv1.CancelBookingRequest) (*bookingv1.CancelBookingResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.Cancel(ctx, req.GetId(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.CancelBookingResponse{Booking: b}, nil
}

// MarkPaid marks a manual payment received.
func (s *Server) MarkPaid(ctx context.Context, req *bookingv1.MarkPaidRequest) (*bookingv1.MarkPaidResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.MarkPaid(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkPaidResponse{Booking: b}, nil
}

// MarkRefunded marks a manual payment returned.
func (s *Server) MarkRefunded(ctx context.Context, req *bookingv1.MarkRefundedRequest) (*bookingv1.MarkRefundedResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.MarkRefunded(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkRefundedResponse{Booking: b}, nil
}

// CompleteBooking marks a session attended.
func (s *Server) CompleteBooking(ctx context.Context, req *bookingv1.CompleteBookingRequest) (*bookingv1.CompleteBookingResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.Complete(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.CompleteBookingResponse{Booking: b}, nil
}

// MarkNoShow marks the mentee absent.
func (s *Server) MarkNoShow(ctx context.Context, req *bookingv1.MarkNoShowRequest) (*bookingv1.MarkNoShowResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) { return s.app.MarkNoShow(ctx, req.GetId()) })
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkNoShowResponse{Booking: b}, nil
}

// RefundBooking refunds a card payment.
func (s *Server) RefundBooking(ctx context.Context, req *bookingv1.RefundBookingRequest) (*bookingv1.RefundBookingResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.Refund(ctx, req.GetId(), req.GetAmountMinor(), req.GetNote())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.RefundBookingResponse{Booking: b}, nil
}

// DecideContinuation records the decision after an intro session.
func (s *Server) DecideContinuation(ctx context.Context, req *bookingv1.DecideContinuationRequest) (*bookingv1.DecideContinuationResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.DecideContinuation(ctx, req.GetId(), req.GetApprove(), req.GetReason())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.DecideContinuationResponse{Booking: b}, nil
}

// SendMessage messages the mentee.
func (s *Server) SendMessage(ctx context.Context, req *bookingv1.SendMessageRequest) (*bookingv1.SendMessageResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.SendMessage(ctx, req.GetId(), req.GetText())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.SendMessageResponse{Booking: b}, nil
}

// UpdateNotes sets the mentor's private notes.
func (s *Server) UpdateNotes(ctx context.Context, req *bookingv1.UpdateNotesRequest) (*bookingv1.UpdateNotesResponse, error) {
	b, err := s.command(ctx, func(ctx context.Context) (*domain.Booking, error) {
		return s.app.UpdateNotes(ctx, req.GetId(), req.GetNotes())
	})
	if err != nil {
		return nil, err
	}
	return &bookingv1.UpdateNotesResponse{Booking: b}, nil
}

// CompleteSession completes a class session's bookings.
func (s *Server) CompleteSession(ctx context.Context, req *bookingv1.CompleteSessionRequest) (*bookingv1.CompleteSessionResponse, error) {
	bs, err := s.app.CompleteSession(ctx, req.GetSessionId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp := &bookingv1.CompleteSessionResponse{}
	for _, b := range bs {
		resp.Bookings = append(resp.Bookings, protoconv.BookingToProto(b))
	}
	return resp, nil
}

// GetBookingSettings returns a mentor's settings.
func (s *Server) GetBookingSettings(ctx context.Context, req *bookingv1.GetBookingSettingsRequest) (*bookingv1.GetBookingSettingsResponse, error) {
	p, err := s.app.Settings(ctx, req.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.GetBookingSettingsResponse{Settings: protoconv.SettingsToProto(req.GetMentorId(), p)}, nil
}

// UpdateBookingSettings changes a mentor's settings.
func (s *Server) UpdateBookingSettings(ctx context.Context, req *bookingv1.UpdateBookingSettingsRequest) (*bookingv1.UpdateBookingSettingsResponse, error) {
	in := req.GetSettings()
	paths := req.GetUpdateMask().GetPaths()
	set := map[string]bool{}
	for _, p := range paths {
		set[p] = true
	}
	has := func(field string, given bool) bool { return set[field] || (len(paths) == 0 && given) }
	var bad apperr.Violations
	for _, p := range paths {
		switch p {
		case "auto_approve", "auto_approve_bundle_bookings", "approval_window", "reminder_after", "free_cancel_before",
			"late_mentee_cancellation", "mentor_may_cancel", "auto_complete_after":
		default:
			bad.Add("update_mask", "unknown field "+p)
		}
	}
	if err := bad.Err(); err != nil {
		return nil, s.fail(ctx, err)
	}
	p, err := s.app.UpdateSettings(ctx, in.GetMentorId(), func(p *domain.Policy) {
		if has("auto_approve", in.GetAutoApprove()) {
			p.AutoApprove = in.GetAutoApprove()
		}
		if has("auto_approve_bundle_bookings", in.GetAutoApproveBundleBookings()) {
			p.AutoApproveBundle = in.GetAutoApproveBundleBookings()
		}
		if has("approval_window", in.ApprovalWindow != nil) {
			p.ApprovalWindow = in.GetApprovalWindow().AsDuration()
		}
		if has("reminder_after", in.ReminderAfter != nil) {
			p.ReminderAfter = in.GetReminderAfter().AsDuration()
		}
		if has("free_cancel_before", in.FreeCancelBefore != nil) {
			p.FreeCancelBefore = in.GetFreeCancelBefore().AsDuration()
		}
		if has("late_mentee_cancellation", in.LateMenteeCancellation != 0) {
			p.LateMenteeCancel = protoconv.LateCancellationFromProto(in.GetLateMenteeCancellation())
		}
		if has("mentor_may_cancel", in.GetMentorMayCancel()) {
			p.MentorMayCancel = in.GetMentorMayCancel()
		}
		if has("auto_complete_after", in.AutoCompleteAfter != nil) {
			p.AutoCompleteAfter = in.GetAutoCompleteAfter().AsDuration()
		}
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.UpdateBookingSettingsResponse{Settings: protoconv.SettingsToProto(in.GetMentorId(), p)}, nil
}

// RebuildBookingView writes a booking's read-model row again from its
// workflow.
func (s *Server) RebuildBookingView(ctx context.Context, req *bookingv1.RebuildBookingViewRequest) (*bookingv1.RebuildBookingViewResponse, error) {
	b, changed, err := s.app.RebuildView(ctx, req.GetId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.RebuildBookingViewResponse{Booking: protoconv.BookingToProto(b), Changed: changed}, nil
}
