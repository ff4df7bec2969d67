// Package grpcapi is scheduling's gRPC transport: it converts requests to
// domain values, calls the application and maps its errors to gRPC statuses
// with apperr.
package grpcapi

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"google.golang.org/genproto/googleapis/api/httpbody"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
	"github.com/bookwell/bookwell/services/scheduling/internal/wire"
)

// Server implements schedulingv1.SchedulingServiceServer.
type Server struct {
	schedulingv1.UnimplementedSchedulingServiceServer
	App *app.Service
	Log *slog.Logger
}

func (s *Server) fail(ctx context.Context, err error) error { return apperr.ToStatus(ctx, s.Log, err) }

// ---- offerings

func offeringToProto(o domain.Offering) *schedulingv1.Offering {
	return &schedulingv1.Offering{
		Id:               o.ID,
		MentorId:         o.MentorID,
		Name:             o.Name,
		Kind:             wire.KindToProto(o.Kind),
		DurationMinutes:  int32(o.Duration / time.Minute),
		PriceMinorUnits:  o.PriceMinor,
		CurrencyCode:     o.Currency,
		Capacity:         int32(o.Capacity),
		ApprovalRequired: o.ApprovalRequired,
		CreateTime:       wire.Timestamp(o.CreatedAt),
		UpdateTime:       wire.Timestamp(o.UpdatedAt),
	}
}

func offeringFromProto(p *schedulingv1.Offering) domain.Offering {
	return domain.Offering{
		Name:             p.GetName(),
		Kind:             wire.KindFromProto(p.GetKind()),
		Duration:         time.Duration(p.GetDurationMinutes()) * time.Minute,
		PriceMinor:       p.GetPriceMinorUnits(),
		Currency:         p.GetCurrencyCode(),
		Capacity:         int(p.GetCapacity()),
		ApprovalRequired: p.GetApprovalRequired(),
	}
}

// CreateOffering adds an offering.
func (s *Server) CreateOffering(ctx context.Context, req *schedulingv1.CreateOfferingRequest) (*schedulingv1.CreateOfferingResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	o, err := s.App.CreateOffering(ctx, req.GetMentorId(), offeringFromProto(req.GetOffering()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.CreateOfferingResponse{Offering: offeringToProto(o)}, nil
}

// GetOffering returns one offering.
func (s *Server) GetOffering(ctx context.Context, req *schedulingv1.GetOfferingRequest) (*schedulingv1.GetOfferingResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	o, err := s.App.Offering(ctx, req.GetMentorId(), req.GetOfferingId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.GetOfferingResponse{Offering: offeringToProto(o)}, nil
}

// ListOfferings lists a mentor's offerings.
func (s *Server) ListOfferings(ctx context.Context, req *schedulingv1.ListOfferingsRequest) (*schedulingv1.ListOfferingsResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	list, err := s.App.Offerings(ctx, req.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &schedulingv1.ListOfferingsResponse{}
	for _, o := range list {
		out.Offerings = append(out.Offerings, offeringToProto(o))
	}
	return out, nil
}

// UpdateOffering replaces an offering's editable fields.
func (s *Server) UpdateOffering(ctx context.Context, req *schedulingv1.UpdateOfferingRequest) (*schedulingv1.UpdateOfferingResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	o, err := s.App.UpdateOffering(ctx, req.GetMentorId(), req.GetOfferingId(), offeringFromProto(req.GetOffering()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.UpdateOfferingResponse{Offering: offeringToProto(o)}, nil
}

// DeleteOffering withdraws an offering.
func (s *Server) DeleteOffering(ctx context.Context, req *schedulingv1.DeleteOfferingRequest) (*schedulingv1.DeleteOfferingResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	if err := s.App.DeleteOffering(ctx, req.GetMentorId(), req.GetOfferingId()); err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.DeleteOfferingResponse{}, nil
}

// ---- availability

var dayToProto = map[time.Weekday]schedulingv1.DayOfWeek{
	time.Monday: schedulingv1.DayOfWeek_DAY_OF_WEEK_MONDAY, time.Tuesday: schedulingv1.DayOfWeek_DAY_OF_WEEK_TUESDAY,
	time.Wednesday: schedulingv1.DayOfWeek_DAY_OF_WEEK_WEDNESDAY, time.Thursday: schedulingv1.DayOfWeek_DAY_OF_WEEK_THURSDAY,
	time.Friday: schedulingv1.DayOfWeek_DAY_OF_WEEK_FRIDAY, time.Saturday: schedulingv1.DayOfWeek_DAY_OF_WEEK_SATURDAY,
	time.Sunday: schedulingv1.DayOfWeek_DAY_OF_WEEK_SUNDAY,
}

func availabilityToProto(a domain.Availability) *schedulingv1.Availability {
	p := &schedulingv1.Availability{
		MentorId:         a.MentorID,
		TimeZone:         a.TimeZone,
		BufferMinutes:    int32(a.Buffer / time.Minute),
		MinNoticeMinutes: int32(a.MinNotice / time.Minute),
		HorizonDays:      int32(a.HorizonDays),
		AwayStartTime:    wire.Timestamp(a.AwayStart),
		AwayEndTime:      wire.Timestamp(a.AwayEnd),
		UpdateTime:       wire.Timestamp(a.UpdatedAt),
	}
	for _, w := range a.Weekly {
		p.WeeklyHours = append(p.WeeklyHours, &schedulingv1.WeeklyHours{Day: dayToProto[w.Day], StartTime: w.Start.String(), EndTime: w.End.String()})
	}
	for _, e := range a.Exceptions {
		x := &schedulingv1.DateException{Date: e.Date, Kind: schedulingv1.ExceptionKind_EXCEPTION_KIND_BLOCKED}
		if e.Kind == domain.ExceptionExtraHours {
			x.Kind = schedulingv1.ExceptionKind_EXCEPTION_KIND_EXTRA_HOURS
		}
		if !e.WholeDay() {
			x.StartTime, x.EndTime = e.Start.String(), e.End.String()
		}
		p.Exceptions = append(p.Exceptions, x)
	}
	return p
}

// availabilityFromProto converts and reports the fields it cannot read
// (clock times, days); domain validation reports the rest.
func availabilityFromProto(mentorID string, p *schedulingv1.Availability) (domain.Availability, error) {
	var v apperr.Violations
	a := domain.Availability{
		MentorID:    mentorID,
		TimeZone:    p.GetTimeZone(),
		Buffer:      time.Duration(p.GetBufferMinutes()) * time.Minute,
		MinNotice:   time.Duration(p.GetMinNoticeMinutes()) * time.Minute,
		HorizonDays: int(p.GetHorizonDays()),
		AwayStart:   wire.Time(p.GetAwayStartTime()),
		AwayEnd:     wire.Time(p.GetAwayEndTime()),
	}
	clock := func(field, s string) domain.Clock {
		c, err := domain.ParseClock(s)
		if err != nil {
			v.Add(field, err.Error())
		}
		return c
	}
	for i, w := range p.GetWeeklyHours() {
		f := fmt.Sprintf("availability.weekly_hours[%d]", i)
		day := time.Weekday(-1)
		for d, pd := range dayToProto {
			if pd == w.GetDay() {
				day = d
			}
		}
		a.Weekly = append(a.Weekly, domain.WeeklyHours{Day: day, Start: clock(f+".start_time", w.GetStartTime()), End: clock(f+".end_time", w.GetEndTime())})
	}
	for i, e := range p.GetExceptions() {
		f := fmt.Sprintf("availability.exceptions[%d]", i)
		x := domain.DateException{Date: e.GetDate()}
		switch e.GetKind() {
		case schedulingv1.ExceptionKind_EXCEPTION_KIND_BLOCKED:
			x.Kind = domain.ExceptionBlocked
		case schedulingv1.ExceptionKind_EXCEPTION_KIND_EXTRA_HOURS:
			x.Kind = domain.ExceptionExtraHours
		}
		if e.GetStartTime() != "" || e.GetEndTime() != "" || x.Kind != domain.ExceptionBlocked {
			x.Start, x.End = clock(f+".start_time", e.GetStartTime()), clock(f+".end_time", e.GetEndTime())
		}
		a.Exceptions = append(a.Exceptions, x)
	}
	return a, v.Err()
}

// GetAvailability returns a mentor's availability.
func (s *Server) GetAvailability(ctx context.Context, req *schedulingv1.GetAvailabilityRequest) (*schedulingv1.GetAvailabilityResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	a, err := s.App.Availability(ctx, req.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.GetAvailabilityResponse{Availability: availabilityToProto(a)}, nil
}

// UpdateAvailability replaces a mentor's availability.
func (s *Server) UpdateAvailability(ctx context.Context, req *schedulingv1.UpdateAvailabilityRequest) (*schedulingv1.UpdateAvailabilityResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	a, err := availabilityFromProto(req.GetMentorId(), req.GetAvailability())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	a, err = s.App.UpdateAvailability(ctx, a)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.UpdateAvailabilityResponse{Availability: availabilityToProto(a)}, nil
}

// ListSlots returns free slots in the viewer's time zone.
func (s *Server) ListSlots(ctx context.Context, req *schedulingv1.ListSlotsRequest) (*schedulingv1.ListSlotsResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	zone := req.GetTimeZone()
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		var v apperr.Violations
		v.Add("time_zone", "must be an IANA time zone such as Europe/London")
		return nil, s.fail(ctx, v.Err())
	}
	slots, err := s.App.Slots(ctx, req.GetMentorId(), req.GetOfferingId(), wire.Time(req.GetStartTime()), wire.Time(req.GetEndTime()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &schedulingv1.ListSlotsResponse{TimeZone: zone}
	for _, sl := range slots {
		out.Slots = append(out.Slots, &schedulingv1.Slot{
			StartTime:      wire.Timestamp(sl.Start),
			EndTime:        wire.Timestamp(sl.End),
			LocalStartTime: sl.Start.In(loc).Format(time.RFC3339),
			LocalEndTime:   sl.End.In(loc).Format(time.RFC3339),
			SeatsLeft:      int32(sl.SeatsLeft),
		})
	}
	return out, nil
}

// ---- reservations

// HoldReservation holds a slot for a booking.
func (s *Server) HoldReservation(ctx context.Context, req *schedulingv1.HoldReservationRequest) (*schedulingv1.HoldReservationResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	r, err := s.App.Hold(ctx, domain.Hold{
		BookingID:      req.GetBookingId(),
		MentorID:       req.GetMentorId(),
		OfferingID:     req.GetOfferingId(),
		MenteeID:       req.GetMenteeId(),
		Start:          wire.Time(req.GetStartTime()),
		PartySize:      int(req.GetPartySize()),
		MenteeTimeZone: req.GetMenteeTimeZone(),
	})
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.HoldReservationResponse{Reservation: wire.Reservation(r)}, nil
}

// ConfirmReservation confirms a held reservation.
func (s *Server) ConfirmReservation(ctx context.Context, req *schedulingv1.ConfirmReservationRequest) (*schedulingv1.ConfirmReservationResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	r, err := s.App.Confirm(ctx, req.GetBookingId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.ConfirmReservationResponse{Reservation: wire.Reservation(r)}, nil
}

// MoveReservation moves a reservation, atomically.
func (s *Server) MoveReservation(ctx context.Context, req *schedulingv1.MoveReservationRequest) (*schedulingv1.MoveReservationResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	r, err := s.App.Move(ctx, req.GetBookingId(), wire.Time(req.GetNewStartTime()))
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.MoveReservationResponse{Reservation: wire.Reservation(r)}, nil
}

// ReleaseReservation frees a reservation's slot.
func (s *Server) ReleaseReservation(ctx context.Context, req *schedulingv1.ReleaseReservationRequest) (*schedulingv1.ReleaseReservationResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	r, err := s.App.Release(ctx, req.GetBookingId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	out := &schedulingv1.ReleaseReservationResponse{}
	if r != nil {
		out.Reservation = wire.Reservation(*r)
	}
	return out, nil
}

// GetReservation returns a booking's reservation.
func (s *Server) GetReservation(ctx context.Context, req *schedulingv1.GetReservationRequest) (*schedulingv1.GetReservationResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	r, err := s.App.Reservation(ctx, req.GetBookingId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.GetReservationResponse{Reservation: wire.Reservation(r)}, nil
}

// CheckConflict reports whether a time is free in a mentor's calendar.
func (s *Server) CheckConflict(ctx context.Context, req *schedulingv1.CheckConflictRequest) (*schedulingv1.CheckConflictResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	ids, err := s.App.Conflicts(ctx, req.GetMentorId(), wire.Time(req.GetStartTime()), wire.Time(req.GetEndTime()), req.GetExcludingBookingId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.CheckConflictResponse{Free: len(ids) == 0, ConflictingBookingIds: ids}, nil
}

// ---- calendar

// GetCalendarLinks returns add-to-calendar links and an .ics for a booking.
func (s *Server) GetCalendarLinks(ctx context.Context, req *schedulingv1.GetCalendarLinksRequest) (*schedulingv1.GetCalendarLinksResponse, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	e, err := s.App.CalendarLinks(ctx, req.GetBookingId(), req.GetTitle(), req.GetDescription())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &schedulingv1.GetCalendarLinksResponse{GoogleUrl: e.Links.Google, YahooUrl: e.Links.Yahoo, OutlookUrl: e.Links.Outlook, Ics: e.ICS}, nil
}

// GetMentorCalendar returns a mentor's confirmed sessions as text/calendar.
func (s *Server) GetMentorCalendar(ctx context.Context, req *schedulingv1.GetMentorCalendarRequest) (*httpbody.HttpBody, error) {
	if err := authorize(ctx, req); err != nil {
		return nil, s.fail(ctx, err)
	}
	doc, err := s.App.MentorCalendar(ctx, req.GetMentorId())
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return &httpbody.HttpBody{ContentType: "text/calendar; charset=utf-8", Data: []byte(doc)}, nil
}
