// Package grpcapi serves the booking context's gRPC API.
package grpcapi

import (
	"context"
	"errors"
	"log/slog"

	"google.golang.org/genproto/googleapis/api/httpbody"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/convert"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/postgres"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Server implements bookingv1.BookingServiceServer.
type Server struct {
	bookingv1.UnimplementedBookingServiceServer
	app *app.Service
	log *slog.Logger
}

// New returns the server.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

func (s *Server) fail(ctx context.Context, err error) error {
	if errors.Is(err, app.ErrBusy) {
		s.log.WarnContext(ctx, "temporal could not carry out a command", "err", err)
	}
	return apperr.ToStatus(ctx, s.log, err)
}

// command runs one workflow command and converts the booking it returns.
func (s *Server) command(ctx context.Context, id, name string, c workflow.Command) (*bookingv1.Booking, error) {
	b, err := s.app.Command(ctx, id, name, c)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return convert.ToProto(b), nil
}

// CreateBooking requests a session.
func (s *Server) CreateBooking(ctx context.Context, req *bookingv1.CreateBookingRequest) (*bookingv1.CreateBookingResponse, error) {
	b, err := s.app.Create(ctx, convert.RequestFromProto(req.GetBooking()), req.GetRequestId(), req.GetCardToken())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.CreateBookingResponse{Booking: convert.ToProto(b)}, nil
}

// GetBooking returns one booking.
func (s *Server) GetBooking(ctx context.Context, req *bookingv1.GetBookingRequest) (*bookingv1.GetBookingResponse, error) {
	b, view, err := s.app.Get(ctx, req.GetId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	resp := &bookingv1.GetBookingResponse{Booking: convert.ToProto(b)}
	if view != nil {
		pv := &bookingv1.PendingView{TimeStillFree: view.TimeFree, Conflict: view.Conflict, RequestedTimesMentorLocal: view.LocalTimes}
		if h := view.History; h != nil {
			pv.MenteePriorSessions = int32(h.PriorSessions)
			pv.MenteeTotalSpend = &bookingv1.Money{Currency: h.TotalSpend.Currency, AmountMinor: h.TotalSpend.Amount}
			pv.MenteeAverageRatingGiven = h.AverageRatingGiven
			pv.MenteeNoShows = int32(h.NoShows)
		}
		resp.PendingView = pv
	}
	return resp, nil
}

func listQuery(req *bookingv1.ListBookingsRequest) app.ListQuery {
	q := app.ListQuery{Filter: postgres.Filter{
		MentorID: req.GetMentorId(), MenteeID: req.GetMenteeId(), OfferingID: req.GetOfferingId(),
		StartAfter: convert.FromTS(req.GetStartAfter()), StartBefore: convert.FromTS(req.GetStartBefore()),
		PaymentMethod: convert.MethodFromProto(req.GetPaymentMethod()),
		Query:         req.GetQuery(), OrderBy: req.GetOrderBy(),
		PageSize: int(req.GetPageSize()), PageToken: req.GetPageToken(),
	}, Upcoming: req.GetUpcoming(), Unpaid: req.GetUnpaid()}
	for _, st := range req.GetStatuses() {
		if d := convert.StatusFromProto(st); d != "" {
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
		resp.Bookings = append(resp.Bookings, convert.ToProto(b))
	}
	return resp, nil
}

// ExportBookings returns the selected bookings as CSV.
func (s *Server) ExportBookings(ctx context.Context, req *bookingv1.ExportBookingsRequest) (*httpbody.HttpBody, error) {
	filter := req.GetFilter()
	if filter == nil {
		filter = &bookingv1.ListBookingsRequest{}
	}
	data, err := s.app.Export(ctx, listQuery(filter))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &httpbody.HttpBody{ContentType: "text/csv; charset=utf-8", Data: data}, nil
}

// ApproveBooking approves a pending booking.
func (s *Server) ApproveBooking(ctx context.Context, req *bookingv1.ApproveBookingRequest) (*bookingv1.ApproveBookingResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateApprove, workflow.Command{Start: convert.FromTS(req.GetStartTime())})
	if err != nil {
		return nil, err
	}
	return &bookingv1.ApproveBookingResponse{Booking: b}, nil
}

// RejectBooking rejects a request.
func (s *Server) RejectBooking(ctx context.Context, req *bookingv1.RejectBookingRequest) (*bookingv1.RejectBookingResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateReject, workflow.Command{Reason: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.RejectBookingResponse{Booking: b}, nil
}

// ProposeTime proposes another time.
func (s *Server) ProposeTime(ctx context.Context, req *bookingv1.ProposeTimeRequest) (*bookingv1.ProposeTimeResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdatePropose, workflow.Command{Start: convert.FromTS(req.GetStartTime()), Note: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.ProposeTimeResponse{Booking: b}, nil
}

// AcceptProposal accepts the open proposal.
func (s *Server) AcceptProposal(ctx context.Context, req *bookingv1.AcceptProposalRequest) (*bookingv1.AcceptProposalResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateAccept, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.AcceptProposalResponse{Booking: b}, nil
}

// DeclineProposal declines the open proposal.
func (s *Server) DeclineProposal(ctx context.Context, req *bookingv1.DeclineProposalRequest) (*bookingv1.DeclineProposalResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateDecline, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.DeclineProposalResponse{Booking: b}, nil
}

// CancelBooking cancels a booking.
func (s *Server) CancelBooking(ctx context.Context, req *bookingv1.CancelBookingRequest) (*bookingv1.CancelBookingResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateCancel, workflow.Command{Reason: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.CancelBookingResponse{Booking: b}, nil
}

// MarkPaid marks a manual payment received.
func (s *Server) MarkPaid(ctx context.Context, req *bookingv1.MarkPaidRequest) (*bookingv1.MarkPaidResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateMarkPaid, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkPaidResponse{Booking: b}, nil
}

// MarkRefunded marks a manual payment returned.
func (s *Server) MarkRefunded(ctx context.Context, req *bookingv1.MarkRefundedRequest) (*bookingv1.MarkRefundedResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateMarkRefunded, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkRefundedResponse{Booking: b}, nil
}

// CompleteBooking marks a session attended.
func (s *Server) CompleteBooking(ctx context.Context, req *bookingv1.CompleteBookingRequest) (*bookingv1.CompleteBookingResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateComplete, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.CompleteBookingResponse{Booking: b}, nil
}

// MarkNoShow marks the mentee absent.
func (s *Server) MarkNoShow(ctx context.Context, req *bookingv1.MarkNoShowRequest) (*bookingv1.MarkNoShowResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateMarkNoShow, workflow.Command{})
	if err != nil {
		return nil, err
	}
	return &bookingv1.MarkNoShowResponse{Booking: b}, nil
}

// RefundBooking refunds a card payment.
func (s *Server) RefundBooking(ctx context.Context, req *bookingv1.RefundBookingRequest) (*bookingv1.RefundBookingResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateRefund, workflow.Command{Amount: req.GetAmountMinor(), Note: req.GetNote()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.RefundBookingResponse{Booking: b}, nil
}

// DecideContinuation records the decision after an intro session.
func (s *Server) DecideContinuation(ctx context.Context, req *bookingv1.DecideContinuationRequest) (*bookingv1.DecideContinuationResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateContinuation, workflow.Command{Approve: req.GetApprove(), Reason: req.GetReason()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.DecideContinuationResponse{Booking: b}, nil
}

// SendMessage messages the mentee.
func (s *Server) SendMessage(ctx context.Context, req *bookingv1.SendMessageRequest) (*bookingv1.SendMessageResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateMessage, workflow.Command{Text: req.GetText()})
	if err != nil {
		return nil, err
	}
	return &bookingv1.SendMessageResponse{Booking: b}, nil
}

// UpdateNotes sets the mentor's private notes.
func (s *Server) UpdateNotes(ctx context.Context, req *bookingv1.UpdateNotesRequest) (*bookingv1.UpdateNotesResponse, error) {
	b, err := s.command(ctx, req.GetId(), workflow.UpdateNotes, workflow.Command{Text: req.GetNotes()})
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
		resp.Bookings = append(resp.Bookings, convert.ToProto(b))
	}
	return resp, nil
}

// GetBookingSettings returns a mentor's settings.
func (s *Server) GetBookingSettings(ctx context.Context, req *bookingv1.GetBookingSettingsRequest) (*bookingv1.GetBookingSettingsResponse, error) {
	p, err := s.app.Settings(ctx, req.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &bookingv1.GetBookingSettingsResponse{Settings: convert.PolicyToSettings(req.GetMentorId(), p)}, nil
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
			p.LateMenteeCancel = convert.LateFromProto(in.GetLateMenteeCancellation())
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
	return &bookingv1.UpdateBookingSettingsResponse{Settings: convert.PolicyToSettings(in.GetMentorId(), p)}, nil
}
