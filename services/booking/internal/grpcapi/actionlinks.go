package grpcapi

import (
	"context"
	"log/slog"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/actionlink"
	"github.com/bookwell/bookwell/services/booking/internal/app"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/protoconv"
)

// ActionLinkServer implements bookingv1.ActionLinkServiceServer. Its methods
// take no caller from the identity interceptor (they are self-authenticated:
// the link is the credential); the use case acts as the link's recipient.
type ActionLinkServer struct {
	bookingv1.UnimplementedActionLinkServiceServer
	links *app.ActionLinks
	log   *slog.Logger
}

// NewActionLinkServer returns the server of links.
func NewActionLinkServer(links *app.ActionLinks, log *slog.Logger) *ActionLinkServer {
	return &ActionLinkServer{links: links, log: log}
}

// SelfAuthenticated are the server's methods, which check their caller (the
// link) themselves.
var SelfAuthenticated = []string{
	bookingv1.ActionLinkService_DescribeActionLink_FullMethodName,
	bookingv1.ActionLinkService_RedeemActionLink_FullMethodName,
}

// DescribeActionLink says what a link does.
func (s *ActionLinkServer) DescribeActionLink(ctx context.Context, req *bookingv1.DescribeActionLinkRequest) (*bookingv1.DescribeActionLinkResponse, error) {
	v, err := s.links.Describe(ctx, req.GetToken())
	if err != nil {
		return nil, err
	}
	return linkViewToProto(v), nil
}

// RedeemActionLink carries out a link's action once.
func (s *ActionLinkServer) RedeemActionLink(ctx context.Context, req *bookingv1.RedeemActionLinkRequest) (*bookingv1.RedeemActionLinkResponse, error) {
	l, b, err := s.links.Redeem(ctx, req.GetToken(), app.Redemption{
		Reason: req.GetReason(), Start: protoconv.TimeFromProto(req.GetStartTime()), Note: req.GetNote(),
	})
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "action link redeemed", "booking_id", l.BookingID, "action", string(l.Action), "user_id", l.UserID)
	return &bookingv1.RedeemActionLinkResponse{Action: protoconv.ActionToProto(l.Action), Booking: protoconv.BookingToProto(b)}, nil
}

// linkViewToProto converts what a link would do.
func linkViewToProto(v app.LinkView) *bookingv1.DescribeActionLinkResponse {
	role := domain.RoleMentee
	if v.Link.Role == actionlink.Mentor {
		role = domain.RoleMentor
	}
	return &bookingv1.DescribeActionLinkResponse{
		Action: protoconv.ActionToProto(v.Link.Action), Booking: protoconv.BookingToProto(v.Booking),
		RecipientId: v.Link.UserID, RecipientRole: protoconv.RoleToProto(role), RecipientTimeZone: v.TimeZone,
		ExpireTime: timestamppb.New(v.Link.ExpiresAt), Actionable: v.Actionable, PendingView: pendingViewToProto(v.Pending),
	}
}

// pendingViewToProto converts the mentor's view of a request; nil gives nil.
func pendingViewToProto(view *app.PendingView) *bookingv1.PendingView {
	if view == nil {
		return nil
	}
	pv := &bookingv1.PendingView{TimeStillFree: view.TimeFree, Conflict: view.Conflict, RequestedTimesMentorLocal: view.LocalTimes}
	if h := view.History; h != nil {
		pv.MenteePriorSessions = int32(h.PriorSessions)
		pv.MenteeTotalSpend = &bookingv1.Money{Currency: h.TotalSpend.Currency, AmountMinor: h.TotalSpend.Amount}
		pv.MenteeAverageRatingGiven = h.AverageRatingGiven
		pv.MenteeNoShows = int32(h.NoShows)
	}
	return pv
}
