// Package protoconv converts scheduling's domain values to and from their
// protobuf form, for the gRPC API and for the events scheduling publishes
// and hears. Every converter is named XToProto or XFromProto.
package protoconv

import (
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	reputationv1 "github.com/bookwell/bookwell/gen/go/bookwell/reputation/v1"
	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/scheduling/internal/app"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// TimeToProto converts t, leaving the zero time unset.
func TimeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// TimeFromProto converts ts, mapping unset to the zero time.
func TimeFromProto(ts *timestamppb.Timestamp) time.Time {
	if ts == nil {
		return time.Time{}
	}
	return ts.AsTime()
}

// KindToProto converts an offering kind.
func KindToProto(k domain.Kind) schedulingv1.OfferingKind {
	switch k {
	case domain.KindIntro:
		return schedulingv1.OfferingKind_OFFERING_KIND_INTRO
	case domain.KindPaid:
		return schedulingv1.OfferingKind_OFFERING_KIND_PAID
	}
	return schedulingv1.OfferingKind_OFFERING_KIND_UNSPECIFIED
}

// KindFromProto converts an offering kind; unspecified becomes "".
func KindFromProto(k schedulingv1.OfferingKind) domain.Kind {
	switch k {
	case schedulingv1.OfferingKind_OFFERING_KIND_INTRO:
		return domain.KindIntro
	case schedulingv1.OfferingKind_OFFERING_KIND_PAID:
		return domain.KindPaid
	}
	return ""
}

// OfferingToProto converts an offering.
func OfferingToProto(o domain.Offering) *schedulingv1.Offering {
	return &schedulingv1.Offering{
		Id:               o.ID,
		MentorId:         o.MentorID,
		Name:             o.Name,
		Kind:             KindToProto(o.Kind),
		DurationMinutes:  int32(o.Duration / time.Minute),
		PriceMinorUnits:  o.PriceMinor,
		CurrencyCode:     o.Currency,
		Capacity:         int32(o.Capacity),
		ApprovalRequired: o.ApprovalRequired,
		CreateTime:       TimeToProto(o.CreatedAt),
		UpdateTime:       TimeToProto(o.UpdatedAt),
	}
}

// OfferingFromProto converts the editable fields of an offering.
func OfferingFromProto(p *schedulingv1.Offering) domain.Offering {
	return domain.Offering{
		Name:             p.GetName(),
		Kind:             KindFromProto(p.GetKind()),
		Duration:         time.Duration(p.GetDurationMinutes()) * time.Minute,
		PriceMinor:       p.GetPriceMinorUnits(),
		Currency:         p.GetCurrencyCode(),
		Capacity:         int(p.GetCapacity()),
		ApprovalRequired: p.GetApprovalRequired(),
	}
}

var dayToProto = map[time.Weekday]schedulingv1.DayOfWeek{
	time.Monday: schedulingv1.DayOfWeek_DAY_OF_WEEK_MONDAY, time.Tuesday: schedulingv1.DayOfWeek_DAY_OF_WEEK_TUESDAY,
	time.Wednesday: schedulingv1.DayOfWeek_DAY_OF_WEEK_WEDNESDAY, time.Thursday: schedulingv1.DayOfWeek_DAY_OF_WEEK_THURSDAY,
	time.Friday: schedulingv1.DayOfWeek_DAY_OF_WEEK_FRIDAY, time.Saturday: schedulingv1.DayOfWeek_DAY_OF_WEEK_SATURDAY,
	time.Sunday: schedulingv1.DayOfWeek_DAY_OF_WEEK_SUNDAY,
}

// AvailabilityToProto converts a mentor's availability.
func AvailabilityToProto(a domain.Availability) *schedulingv1.Availability {
	p := &schedulingv1.Availability{
		MentorId:         a.MentorID,
		TimeZone:         a.TimeZone,
		BufferMinutes:    int32(a.Buffer / time.Minute),
		MinNoticeMinutes: int32(a.MinNotice / time.Minute),
		HorizonDays:      int32(a.HorizonDays),
		AwayStartTime:    TimeToProto(a.AwayStart),
		AwayEndTime:      TimeToProto(a.AwayEnd),
		UpdateTime:       TimeToProto(a.UpdatedAt),
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

// AvailabilityFromProto converts a mentor's availability and reports the
// fields it cannot read (clock times, days); domain validation reports the
// rest.
func AvailabilityFromProto(mentorID string, p *schedulingv1.Availability) (domain.Availability, error) {
	var v apperr.Violations
	a := domain.Availability{
		MentorID:    mentorID,
		TimeZone:    p.GetTimeZone(),
		Buffer:      time.Duration(p.GetBufferMinutes()) * time.Minute,
		MinNotice:   time.Duration(p.GetMinNoticeMinutes()) * time.Minute,
		HorizonDays: int(p.GetHorizonDays()),
		AwayStart:   TimeFromProto(p.GetAwayStartTime()),
		AwayEnd:     TimeFromProto(p.GetAwayEndTime()),
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

// SlotToProto converts a free slot, with its local times in loc.
func SlotToProto(sl domain.Slot, loc *time.Location) *schedulingv1.Slot {
	return &schedulingv1.Slot{
		StartTime:      TimeToProto(sl.Start),
		EndTime:        TimeToProto(sl.End),
		LocalStartTime: sl.Start.In(loc).Format(time.RFC3339),
		LocalEndTime:   sl.End.In(loc).Format(time.RFC3339),
		SeatsLeft:      int32(sl.SeatsLeft),
	}
}

// HoldFromProto converts a hold request.
func HoldFromProto(req *schedulingv1.HoldReservationRequest) domain.Hold {
	return domain.Hold{
		BookingID:      req.GetBookingId(),
		MentorID:       req.GetMentorId(),
		OfferingID:     req.GetOfferingId(),
		MenteeID:       req.GetMenteeId(),
		Start:          TimeFromProto(req.GetStartTime()),
		PartySize:      int(req.GetPartySize()),
		MenteeTimeZone: req.GetMenteeTimeZone(),
	}
}

// ReservationStatusToProto converts a reservation status.
func ReservationStatusToProto(s domain.ReservationStatus) schedulingv1.ReservationStatus {
	switch s {
	case domain.StatusHeld:
		return schedulingv1.ReservationStatus_RESERVATION_STATUS_HELD
	case domain.StatusConfirmed:
		return schedulingv1.ReservationStatus_RESERVATION_STATUS_CONFIRMED
	case domain.StatusReleased:
		return schedulingv1.ReservationStatus_RESERVATION_STATUS_RELEASED
	}
	return schedulingv1.ReservationStatus_RESERVATION_STATUS_UNSPECIFIED
}

// ReservationToProto converts a reservation.
func ReservationToProto(r domain.Reservation) *schedulingv1.Reservation {
	return &schedulingv1.Reservation{
		BookingId:      r.BookingID,
		MentorId:       r.MentorID,
		OfferingId:     r.OfferingID,
		MenteeId:       r.MenteeID,
		Status:         ReservationStatusToProto(r.Status),
		StartTime:      TimeToProto(r.Start),
		EndTime:        TimeToProto(r.End),
		PartySize:      int32(r.PartySize),
		MenteeTimeZone: r.MenteeTimeZone,
		Kind:           KindToProto(r.Kind),
		MeetingUrl:     r.MeetingURL,
		Version:        r.Version,
		CreateTime:     TimeToProto(r.CreatedAt),
		UpdateTime:     TimeToProto(r.UpdatedAt),
	}
}

// CalendarEntryToProto converts a reservation's calendar entry.
func CalendarEntryToProto(e app.CalendarEntry) *schedulingv1.GetCalendarLinksResponse {
	return &schedulingv1.GetCalendarLinksResponse{GoogleUrl: e.Links.Google, YahooUrl: e.Links.Yahoo, OutlookUrl: e.Links.Outlook, Ics: e.ICS}
}

// StandingFromProto is what scheduling keeps of a standing reputation
// announced: its name there, and whether a mentor in it takes new bookings
// (not when suspended or deactivated: docs/product.md). A value reputation's
// catalog does not have is an error.
func StandingFromProto(s reputationv1.Standing) (domain.Standing, error) {
	name := strings.TrimPrefix(s.String(), "STANDING_")
	switch s {
	case reputationv1.Standing_STANDING_ACTIVE, reputationv1.Standing_STANDING_FLAGGED:
		return domain.Standing{Name: name, TakesBookings: true}, nil
	case reputationv1.Standing_STANDING_SUSPENDED, reputationv1.Standing_STANDING_DEACTIVATED:
		return domain.Standing{Name: name, TakesBookings: false}, nil
	}
	return domain.Standing{}, fmt.Errorf("standing %v", s)
}
