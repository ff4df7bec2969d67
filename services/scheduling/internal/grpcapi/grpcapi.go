// Package grpcapi is scheduling's gRPC transport: it converts requests with
// protoconv, calls the application (which checks who is asking) and
// converts the results. Errors go back as they are: the gRPC server turns
// them into statuses (pkg/grpcserver).
package grpcapi

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/protoconv"
)

// Server implements schedulingv1.SchedulingServiceServer.
type Server struct {
	schedulingv1.UnimplementedSchedulingServiceServer
	app *app.Service
	log *slog.Logger
	// DeadLetters are the dead letters of the service's consumers, for
	// ListDeadLetters and RedriveDeadLetter.
	DeadLetters consumer.DeadLetters
}

// New returns the server for a.
func New(a *app.Service, log *slog.Logger) *Server { return &Server{app: a, log: log} }

// CreateOffering adds an offering.
func (s *Server) CreateOffering(ctx context.Context, req *schedulingv1.CreateOfferingRequest) (*schedulingv1.CreateOfferingResponse, error) {
	o, err := s.app.CreateOffering(ctx, req.GetMentorId(), protoconv.OfferingFromProto(req.GetOffering()))
	if err != nil {
		return nil, err
	}
	return &schedulingv1.CreateOfferingResponse{Offering: protoconv.OfferingToProto(o)}, nil
}

// GetOffering returns one offering.
func (s *Server) GetOffering(ctx context.Context, req *schedulingv1.GetOfferingRequest) (*schedulingv1.GetOfferingResponse, error) {
	get := s.app.Offering
	if req.GetToBook() {
		get = s.app.OfferingToBook
	}
	o, err := get(ctx, req.GetMentorId(), req.GetOfferingId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.GetOfferingResponse{Offering: protoconv.OfferingToProto(o)}, nil
}

// ListOfferings lists a mentor's offerings.
func (s *Server) ListOfferings(ctx context.Context, req *schedulingv1.ListOfferingsRequest) (*schedulingv1.ListOfferingsResponse, error) {
	list, err := s.app.Offerings(ctx, req.GetMentorId())
	if err != nil {
		return nil, err
	}
	out := &schedulingv1.ListOfferingsResponse{}
	for _, o := range list {
		out.Offerings = append(out.Offerings, protoconv.OfferingToProto(o))
	}
	return out, nil
}

// UpdateOffering replaces an offering's editable fields.
func (s *Server) UpdateOffering(ctx context.Context, req *schedulingv1.UpdateOfferingRequest) (*schedulingv1.UpdateOfferingResponse, error) {
	o, err := s.app.UpdateOffering(ctx, req.GetMentorId(), req.GetOfferingId(), protoconv.OfferingFromProto(req.GetOffering()))
	if err != nil {
		return nil, err
	}
	return &schedulingv1.UpdateOfferingResponse{Offering: protoconv.OfferingToProto(o)}, nil
}

// DeleteOffering withdraws an offering.
func (s *Server) DeleteOffering(ctx context.Context, req *schedulingv1.DeleteOfferingRequest) (*schedulingv1.DeleteOfferingResponse, error) {
	if err := s.app.DeleteOffering(ctx, req.GetMentorId(), req.GetOfferingId()); err != nil {
		return nil, err
	}
	return &schedulingv1.DeleteOfferingResponse{}, nil
}

// GetAvailability returns a mentor's availability.
func (s *Server) GetAvailability(ctx context.Context, req *schedulingv1.GetAvailabilityRequest) (*schedulingv1.GetAvailabilityResponse, error) {
	a, err := s.app.Availability(ctx, req.GetMentorId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.GetAvailabilityResponse{Availability: protoconv.AvailabilityToProto(a)}, nil
}

// UpdateAvailability replaces a mentor's availability.
func (s *Server) UpdateAvailability(ctx context.Context, req *schedulingv1.UpdateAvailabilityRequest) (*schedulingv1.UpdateAvailabilityResponse, error) {
	a, err := protoconv.AvailabilityFromProto(req.GetMentorId(), req.GetAvailability())
	if err != nil {
		return nil, err
	}
	a, err = s.app.UpdateAvailability(ctx, a)
	if err != nil {
		return nil, err
	}
	return &schedulingv1.UpdateAvailabilityResponse{Availability: protoconv.AvailabilityToProto(a)}, nil
}

// ListSlots returns free slots in the viewer's time zone.
func (s *Server) ListSlots(ctx context.Context, req *schedulingv1.ListSlotsRequest) (*schedulingv1.ListSlotsResponse, error) {
	zone := req.GetTimeZone()
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		var v apperr.Violations
		v.Add("time_zone", "must be an IANA time zone such as Europe/London")
		return nil, v.Err()
	}
	slots, err := s.app.Slots(ctx, req.GetMentorId(), req.GetOfferingId(), protoconv.TimeFromProto(req.GetStartTime()), protoconv.TimeFromProto(req.GetEndTime()))
	if err != nil {
		return nil, err
	}
	out := &schedulingv1.ListSlotsResponse{TimeZone: zone}
	for _, sl := range slots {
		out.Slots = append(out.Slots, protoconv.SlotToProto(sl, loc))
	}
	return out, nil
}

// HoldReservation holds a slot for a booking.
func (s *Server) HoldReservation(ctx context.Context, req *schedulingv1.HoldReservationRequest) (*schedulingv1.HoldReservationResponse, error) {
	r, err := s.app.Hold(ctx, protoconv.HoldFromProto(req))
	if err != nil {
		return nil, err
	}
	// The booking learns the offering and the mentor's time zone in the same
	// call.
	o, err := s.app.Offering(ctx, r.MentorID, r.OfferingID)
	if err != nil {
		return nil, err
	}
	if o.Kind == domain.KindIntro {
		o.Duration = r.End.Sub(r.Start) // the intro length it was held with
	}
	zone := "UTC"
	if a, err := s.app.Availability(ctx, r.MentorID); err == nil && a.TimeZone != "" {
		zone = a.TimeZone
	}
	return &schedulingv1.HoldReservationResponse{Reservation: protoconv.ReservationToProto(r), Offering: protoconv.OfferingToProto(o), MentorTimeZone: zone}, nil
}

// ConfirmReservation confirms a held reservation.
func (s *Server) ConfirmReservation(ctx context.Context, req *schedulingv1.ConfirmReservationRequest) (*schedulingv1.ConfirmReservationResponse, error) {
	r, err := s.app.Confirm(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.ConfirmReservationResponse{Reservation: protoconv.ReservationToProto(r)}, nil
}

// MoveReservation moves a reservation, atomically.
func (s *Server) MoveReservation(ctx context.Context, req *schedulingv1.MoveReservationRequest) (*schedulingv1.MoveReservationResponse, error) {
	r, err := s.app.Move(ctx, req.GetBookingId(), protoconv.TimeFromProto(req.GetNewStartTime()))
	if err != nil {
		return nil, err
	}
	return &schedulingv1.MoveReservationResponse{Reservation: protoconv.ReservationToProto(r)}, nil
}

// ReleaseReservation frees a reservation's slot.
func (s *Server) ReleaseReservation(ctx context.Context, req *schedulingv1.ReleaseReservationRequest) (*schedulingv1.ReleaseReservationResponse, error) {
	r, err := s.app.Release(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	out := &schedulingv1.ReleaseReservationResponse{}
	if r != nil {
		out.Reservation = protoconv.ReservationToProto(*r)
	}
	return out, nil
}

// GetReservation returns a booking's reservation.
func (s *Server) GetReservation(ctx context.Context, req *schedulingv1.GetReservationRequest) (*schedulingv1.GetReservationResponse, error) {
	r, err := s.app.Reservation(ctx, req.GetBookingId())
	if err != nil {
		return nil, err
	}
	return &schedulingv1.GetReservationResponse{Reservation: protoconv.ReservationToProto(r)}, nil
}

// CheckConflict reports whether a time is free in a mentor's calendar.
func (s *Server) CheckConflict(ctx context.Context, req *schedulingv1.CheckConflictRequest) (*schedulingv1.CheckConflictResponse, error) {
	start, end := protoconv.TimeFromProto(req.GetStartTime()), protoconv.TimeFromProto(req.GetEndTime())
	ids, err := s.app.Conflicts(ctx, req.GetMentorId(), start, end, req.GetExcludingBookingId())
	if err != nil {
		return nil, err
	}
	names, err := s.app.BusyCalendars(ctx, req.GetMentorId(), start, end)
	if err != nil {
		return nil, err
	}
	return &schedulingv1.CheckConflictResponse{Free: len(ids) == 0 && len(names) == 0, ConflictingBookingIds: ids, BusyCalendarNames: names}, nil
}

// GetCalendarLinks returns add-to-calendar links and an .ics for a booking.
func (s *Server) GetCalendarLinks(ctx context.Context, req *schedulingv1.GetCalendarLinksRequest) (*schedulingv1.GetCalendarLinksResponse, error) {
	e, err := s.app.CalendarLinks(ctx, req.GetBookingId(), req.GetTitle(), req.GetDescription())
	if err != nil {
		return nil, err
	}
	return protoconv.CalendarEntryToProto(e), nil
}

// GetMentorCalendar returns a mentor's confirmed sessions as text/calendar.
func (s *Server) GetMentorCalendar(ctx context.Context, req *schedulingv1.GetMentorCalendarRequest) (*httpbody.HttpBody, error) {
	doc, err := s.app.MentorCalendar(ctx, req.GetMentorId())
	if err != nil {
		return nil, err
	}
	return &httpbody.HttpBody{ContentType: "text/calendar; charset=utf-8", Data: []byte(doc)}, nil
}
