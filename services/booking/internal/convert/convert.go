// Package convert translates between the booking domain and its protobuf
// types, for the gRPC API and for the events the booking context publishes.
package convert

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var statusToProto = map[domain.Status]bookingv1.BookingStatus{
	domain.StatusPending:             bookingv1.BookingStatus_BOOKING_STATUS_PENDING,
	domain.StatusNegotiating:         bookingv1.BookingStatus_BOOKING_STATUS_NEGOTIATING,
	domain.StatusAwaitingPayment:     bookingv1.BookingStatus_BOOKING_STATUS_AWAITING_PAYMENT,
	domain.StatusConfirmed:           bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED,
	domain.StatusPendingConfirmation: bookingv1.BookingStatus_BOOKING_STATUS_PENDING_CONFIRMATION,
	domain.StatusCompleted:           bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED,
	domain.StatusNoShow:              bookingv1.BookingStatus_BOOKING_STATUS_NO_SHOW,
	domain.StatusRejected:            bookingv1.BookingStatus_BOOKING_STATUS_REJECTED,
	domain.StatusExpired:             bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED,
	domain.StatusCancelled:           bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED,
}

var roleToProto = map[domain.Role]bookingv1.Role{
	domain.RoleMentee: bookingv1.Role_ROLE_MENTEE,
	domain.RoleMentor: bookingv1.Role_ROLE_MENTOR,
	domain.RoleAdmin:  bookingv1.Role_ROLE_ADMIN,
	domain.RoleSystem: bookingv1.Role_ROLE_SYSTEM,
}

// RoleToProto converts a role.
func RoleToProto(r domain.Role) bookingv1.Role { return roleToProto[r] }

// StatusToProto converts a status.
func StatusToProto(s domain.Status) bookingv1.BookingStatus { return statusToProto[s] }

// ToProto converts a booking for the API and for events.
func ToProto(b domain.Booking) *bookingv1.Booking {
	return &bookingv1.Booking{
		Id:         b.ID,
		MentorId:   b.MentorID,
		MenteeId:   b.MenteeID,
		OfferingId: b.OfferingID,
		Status:     StatusToProto(b.Status),
		StartTime:  ts(b.Start),
		EndTime:    ts(b.End),
		Message:    b.Message,
		CreateTime: ts(b.CreatedAt),
		UpdateTime: ts(b.UpdatedAt),
		Version:    b.Version,
	}
}

// RequestFromProto reads what a CreateBooking call asks for.
func RequestFromProto(p *bookingv1.Booking) domain.Request {
	return domain.Request{
		MentorID:   p.GetMentorId(),
		MenteeID:   p.GetMenteeId(),
		OfferingID: p.GetOfferingId(),
		Start:      fromTS(p.GetStartTime()),
		End:        fromTS(p.GetEndTime()),
		Message:    p.GetMessage(),
	}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func fromTS(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}
