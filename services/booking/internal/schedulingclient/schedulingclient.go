// Package schedulingclient is the booking workflow's port to the scheduling
// context, over its gRPC API. Every call is idempotent by booking id.
package schedulingclient

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
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

// Hold reserves the booking's time; the reply says what the offering is and
// the mentor's time zone, so one call does.
func (c *Client) Hold(ctx context.Context, in workflow.HoldInput) (workflow.Offering, error) {
	r, err := c.api.HoldReservation(ctx, &schedulingv1.HoldReservationRequest{
		BookingId: in.ID, MentorId: in.MentorID, OfferingId: in.OfferingID, MenteeId: in.MenteeID,
		StartTime: timestamppb.New(in.Start), PartySize: int32(in.PartySize), MenteeTimeZone: in.MenteeTZ,
	})
	if err != nil {
		return workflow.Offering{}, err
	}
	return offering(r.GetOffering(), r.GetMentorTimeZone()), nil
}

var kinds = map[schedulingv1.OfferingKind]domain.OfferingKind{
	schedulingv1.OfferingKind_OFFERING_KIND_INTRO: domain.OfferingIntro,
	schedulingv1.OfferingKind_OFFERING_KIND_PAID:  domain.OfferingPaid,
}

func offering(o *schedulingv1.Offering, tz string) workflow.Offering {
	if tz == "" {
		tz = "UTC"
	}
	return workflow.Offering{
		Kind:     string(kinds[o.GetKind()]),
		Name:     o.GetName(),
		Duration: time.Duration(o.GetDurationMinutes()) * time.Minute,
		Price:    workflow.Money{Currency: o.GetCurrencyCode(), Amount: o.GetPriceMinorUnits()},
		MentorTZ: tz,
	}
}

// Offering says what an offering is, with the mentor's time zone, for a new
// request that holds no slot (preferred times): like a hold, it is refused
// with MENTOR_UNAVAILABLE when the mentor takes no bookings.
func (c *Client) Offering(ctx context.Context, mentorID, offeringID string) (workflow.Offering, error) {
	o, err := c.api.GetOffering(ctx, &schedulingv1.GetOfferingRequest{MentorId: mentorID, OfferingId: offeringID, ToBook: true})
	if err != nil {
		return workflow.Offering{}, err
	}
	av, err := c.api.GetAvailability(ctx, &schedulingv1.GetAvailabilityRequest{MentorId: mentorID})
	tz := ""
	if err == nil {
		tz = av.GetAvailability().GetTimeZone()
	}
	return offering(o.GetOffering(), tz), nil
}

// Confirm books the held time and returns the meeting and calendar links.
func (c *Client) Confirm(ctx context.Context, in workflow.ConfirmInput) (workflow.Confirmation, error) {
	r, err := c.api.ConfirmReservation(ctx, &schedulingv1.ConfirmReservationRequest{BookingId: in.ID})
	if err != nil {
		return workflow.Confirmation{}, err
	}
	title := in.OfferingName
	if title == "" {
		title = "Session"
	}
	// Scheduling adds the meeting link to the description (this call once
	// added it too, so every calendar entry showed it twice).
	links, err := c.api.GetCalendarLinks(ctx, &schedulingv1.GetCalendarLinksRequest{BookingId: in.ID, Title: title})
	if err != nil {
		return workflow.Confirmation{}, err
	}
	return workflow.Confirmation{
		MeetingURL: r.GetReservation().GetMeetingUrl(),
		Calendar: workflow.CalendarLinks{Google: links.GetGoogleUrl(), Yahoo: links.GetYahooUrl(),
			Outlook: links.GetOutlookUrl(), ICS: links.GetIcs()},
	}, nil
}

// Move moves the held time, keeping the old one if the new is taken.
func (c *Client) Move(ctx context.Context, bookingID string, start time.Time) error {
	_, err := c.api.MoveReservation(ctx, &schedulingv1.MoveReservationRequest{BookingId: bookingID, NewStartTime: timestamppb.New(start)})
	return err
}

// Release frees the booking's time.
func (c *Client) Release(ctx context.Context, bookingID string) error {
	_, err := c.api.ReleaseReservation(ctx, &schedulingv1.ReleaseReservationRequest{BookingId: bookingID})
	return err
}

// Conflict says what, if anything, now takes the booking's time in the
// mentor's calendar.
func (c *Client) Conflict(ctx context.Context, bookingID, mentorID string, s domain.Session) (string, error) {
	r, err := c.api.CheckConflict(ctx, &schedulingv1.CheckConflictRequest{
		MentorId: mentorID, StartTime: timestamppb.New(s.Start), EndTime: timestamppb.New(s.End), ExcludingBookingId: bookingID,
	})
	if err != nil {
		return "", err
	}
	if r.GetFree() {
		return "", nil
	}
	var parts []string
	if n := len(r.GetConflictingBookingIds()); n > 0 {
		parts = append(parts, fmt.Sprintf("%d other booking(s) at this time", n))
	}
	for _, name := range r.GetBusyCalendarNames() {
		parts = append(parts, fmt.Sprintf("busy in your calendar “%s”", name))
	}
	return strings.Join(parts, "; "), nil
}
