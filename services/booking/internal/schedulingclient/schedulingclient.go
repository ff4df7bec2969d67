// Package schedulingclient is the booking workflow's port to the scheduling
// context, over its gRPC API. Every call is idempotent by booking id.
package schedulingclient

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/pkg/apperr"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
	"github.com/bookwell/bookwell/services/booking/internal/workflow"
)

// Client implements workflow.Scheduling.
type Client struct {
	api schedulingv1.SchedulingServiceClient
}

var _ workflow.Scheduling = (*Client)(nil)

// New returns a client on api.
func New(api schedulingv1.SchedulingServiceClient) *Client { return &Client{api: api} }

// Hold reserves the booking's time and says what the offering is.
func (c *Client) Hold(ctx context.Context, b domain.Booking) (domain.Offering, error) {
	_, err := c.api.HoldReservation(ctx, &schedulingv1.HoldReservationRequest{
		BookingId: b.ID, MentorId: b.MentorID, OfferingId: b.OfferingID, MenteeId: b.MenteeID,
		StartTime: timestamppb.New(b.Start), PartySize: int32(b.PartySize), MenteeTimeZone: b.MenteeTZ,
	})
	if err != nil {
		return domain.Offering{}, apperr.FromStatus(err)
	}
	return c.Offering(ctx, b.MentorID, b.OfferingID)
}

var kinds = map[schedulingv1.OfferingKind]domain.OfferingKind{
	schedulingv1.OfferingKind_OFFERING_KIND_INTRO: domain.OfferingIntro,
	schedulingv1.OfferingKind_OFFERING_KIND_PAID:  domain.OfferingPaid,
}

// Offering says what an offering is, with the mentor's time zone.
func (c *Client) Offering(ctx context.Context, mentorID, offeringID string) (domain.Offering, error) {
	o, err := c.api.GetOffering(ctx, &schedulingv1.GetOfferingRequest{MentorId: mentorID, OfferingId: offeringID})
	if err != nil {
		return domain.Offering{}, apperr.FromStatus(err)
	}
	av, err := c.api.GetAvailability(ctx, &schedulingv1.GetAvailabilityRequest{MentorId: mentorID})
	tz := "UTC"
	if err == nil && av.GetAvailability().GetTimeZone() != "" {
		tz = av.GetAvailability().GetTimeZone()
	}
	off := o.GetOffering()
	return domain.Offering{
		Kind:     kinds[off.GetKind()],
		Name:     off.GetName(),
		Duration: time.Duration(off.GetDurationMinutes()) * time.Minute,
		Price:    domain.Money{Currency: off.GetCurrencyCode(), Amount: off.GetPriceMinorUnits()},
		MentorTZ: tz,
	}, nil
}

// Confirm books the held time and returns the meeting and calendar links.
func (c *Client) Confirm(ctx context.Context, b domain.Booking) (workflow.Confirmation, error) {
	r, err := c.api.ConfirmReservation(ctx, &schedulingv1.ConfirmReservationRequest{BookingId: b.ID})
	if err != nil {
		return workflow.Confirmation{}, apperr.FromStatus(err)
	}
	title := b.OfferingName
	if title == "" {
		title = "Session"
	}
	links, err := c.api.GetCalendarLinks(ctx, &schedulingv1.GetCalendarLinksRequest{
		BookingId: b.ID, Title: title,
		Description: fmt.Sprintf("Join: %s", r.GetReservation().GetMeetingUrl()),
	})
	if err != nil {
		return workflow.Confirmation{}, apperr.FromStatus(err)
	}
	return workflow.Confirmation{
		MeetingURL: r.GetReservation().GetMeetingUrl(),
		Calendar: domain.CalendarLinks{Google: links.GetGoogleUrl(), Yahoo: links.GetYahooUrl(),
			Outlook: links.GetOutlookUrl(), ICS: links.GetIcs()},
	}, nil
}

// Move moves the held time, keeping the old one if the new is taken.
func (c *Client) Move(ctx context.Context, b domain.Booking, start time.Time) error {
	_, err := c.api.MoveReservation(ctx, &schedulingv1.MoveReservationRequest{BookingId: b.ID, NewStartTime: timestamppb.New(start)})
	return apperr.FromStatus(err)
}

// Release frees the booking's time.
func (c *Client) Release(ctx context.Context, bookingID string) error {
	_, err := c.api.ReleaseReservation(ctx, &schedulingv1.ReleaseReservationRequest{BookingId: bookingID})
	return apperr.FromStatus(err)
}

// Conflict says what, if anything, now takes the booking's time in the
// mentor's calendar.
func (c *Client) Conflict(ctx context.Context, b domain.Booking) (string, error) {
	r, err := c.api.CheckConflict(ctx, &schedulingv1.CheckConflictRequest{
		MentorId: b.MentorID, StartTime: timestamppb.New(b.Start), EndTime: timestamppb.New(b.End), ExcludingBookingId: b.ID,
	})
	if err != nil {
		return "", apperr.FromStatus(err)
	}
	if r.GetFree() {
		return "", nil
	}
	return fmt.Sprintf("%d other booking(s) at this time", len(r.GetConflictingBookingIds())), nil
}
