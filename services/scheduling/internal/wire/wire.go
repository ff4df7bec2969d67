// Package wire converts scheduling's domain values to and from their protobuf
// form, for the gRPC API and for the events scheduling publishes.
package wire

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	schedulingv1 "github.com/bookwell/bookwell/gen/go/bookwell/scheduling/v1"
	"github.com/bookwell/bookwell/services/scheduling/internal/domain"
)

// Timestamp converts t, leaving the zero time unset.
func Timestamp(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// Time converts ts, mapping unset to the zero time.
func Time(ts *timestamppb.Timestamp) time.Time {
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

// StatusToProto converts a reservation status.
func StatusToProto(s domain.ReservationStatus) schedulingv1.ReservationStatus {
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

// Reservation converts a reservation.
func Reservation(r domain.Reservation) *schedulingv1.Reservation {
	return &schedulingv1.Reservation{
		BookingId:      r.BookingID,
		MentorId:       r.MentorID,
		OfferingId:     r.OfferingID,
		MenteeId:       r.MenteeID,
		Status:         StatusToProto(r.Status),
		StartTime:      Timestamp(r.Start),
		EndTime:        Timestamp(r.End),
		PartySize:      int32(r.PartySize),
		MenteeTimeZone: r.MenteeTimeZone,
		Kind:           KindToProto(r.Kind),
		MeetingUrl:     r.MeetingURL,
		Version:        r.Version,
		CreateTime:     Timestamp(r.CreatedAt),
		UpdateTime:     Timestamp(r.UpdatedAt),
	}
}
