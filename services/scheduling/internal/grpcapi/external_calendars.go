package grpcapi

import (
	"context"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/protoconv"
)

// ExternalCalendarServer implements schedulingv1.ExternalCalendarServiceServer.
type ExternalCalendarServer struct {
	schedulingv1.UnimplementedExternalCalendarServiceServer
	app *app.Service
}

// NewExternalCalendarServer returns the server of external calendars.
func NewExternalCalendarServer(a *app.Service) *ExternalCalendarServer {
	return &ExternalCalendarServer{app: a}
}

// ListExternalCalendars lists a mentor's calendars.
func (s *ExternalCalendarServer) ListExternalCalendars(ctx context.Context, req *schedulingv1.ListExternalCalendarsRequest) (*schedulingv1.ListExternalCalendarsResponse, error) {
	list, err := s.app.ExternalCalendars(ctx, req.GetMentorId())
	if err != nil {
		return nil, err
	}
	out := &schedulingv1.ListExternalCalendarsResponse{}
	for _, c := range list {
		out.ExternalCalendars = append(out.ExternalCalendars, protoconv.ExternalCalendarToProto(c))
	}
	return out, nil
}

// CreateExternalCalendar connects a calendar.
func (s *ExternalCalendarServer) CreateExternalCalendar(ctx context.Context, req *schedulingv1.CreateExternalCalendarRequest) (*schedulingv1.CreateExternalCalendarResponse, error) {
	c, err := s.app.AddExternalCalendar(ctx, req.GetMentorId(), req.GetExternalCalendar().GetName(), req.GetExternalCalendar().GetUrl())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.CreateExternalCalendarResponse{ExternalCalendar: protoconv.ExternalCalendarToProto(c)}, nil
}

// DeleteExternalCalendar disconnects a calendar.
func (s *ExternalCalendarServer) DeleteExternalCalendar(ctx context.Context, req *schedulingv1.DeleteExternalCalendarRequest) (*schedulingv1.DeleteExternalCalendarResponse, error) {
	if err := s.app.RemoveExternalCalendar(ctx, req.GetMentorId(), req.GetCalendarId()); err != nil {
		return nil, err
	}
	return &schedulingv1.DeleteExternalCalendarResponse{}, nil
}

// RefreshExternalCalendar fetches a calendar now.
func (s *ExternalCalendarServer) RefreshExternalCalendar(ctx context.Context, req *schedulingv1.RefreshExternalCalendarRequest) (*schedulingv1.RefreshExternalCalendarResponse, error) {
	c, err := s.app.RefreshExternalCalendar(ctx, req.GetMentorId(), req.GetCalendarId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.RefreshExternalCalendarResponse{ExternalCalendar: protoconv.ExternalCalendarToProto(c)}, nil
}
