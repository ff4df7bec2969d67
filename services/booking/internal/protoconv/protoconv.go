// Package protoconv translates between the booking domain and its protobuf
// types, for the gRPC API and for the events the booking context publishes.
package protoconv

import (
	"time"

	"github.com/google/uuid"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

var statusToProto = map[domain.Status]bookingv1.BookingStatus{
	domain.StatusPending:                bookingv1.BookingStatus_BOOKING_STATUS_PENDING,
	domain.StatusNegotiating:            bookingv1.BookingStatus_BOOKING_STATUS_NEGOTIATING,
	domain.StatusAwaitingPayment:        bookingv1.BookingStatus_BOOKING_STATUS_AWAITING_PAYMENT,
	domain.StatusConfirmed:              bookingv1.BookingStatus_BOOKING_STATUS_CONFIRMED,
	domain.StatusPendingConfirmation:    bookingv1.BookingStatus_BOOKING_STATUS_PENDING_CONFIRMATION,
	domain.StatusCompleted:              bookingv1.BookingStatus_BOOKING_STATUS_COMPLETED,
	domain.StatusNoShow:                 bookingv1.BookingStatus_BOOKING_STATUS_NO_SHOW,
	domain.StatusRejected:               bookingv1.BookingStatus_BOOKING_STATUS_REJECTED,
	domain.StatusExpired:                bookingv1.BookingStatus_BOOKING_STATUS_EXPIRED,
	domain.StatusCancelled:              bookingv1.BookingStatus_BOOKING_STATUS_CANCELLED,
	domain.StatusAwaitingAuthentication: bookingv1.BookingStatus_BOOKING_STATUS_AWAITING_AUTHENTICATION,
}

var roleToProto = map[domain.Role]bookingv1.Role{
	domain.RoleMentee: bookingv1.Role_ROLE_MENTEE,
	domain.RoleMentor: bookingv1.Role_ROLE_MENTOR,
	domain.RoleAdmin:  bookingv1.Role_ROLE_ADMIN,
	domain.RoleSystem: bookingv1.Role_ROLE_SYSTEM,
}

var methodToProto = map[domain.PaymentMethod]bookingv1.PaymentMethod{
	domain.PaymentNone:         bookingv1.PaymentMethod_PAYMENT_METHOD_NONE,
	domain.PaymentCard:         bookingv1.PaymentMethod_PAYMENT_METHOD_CARD,
	domain.PaymentBankTransfer: bookingv1.PaymentMethod_PAYMENT_METHOD_BANK_TRANSFER,
	domain.PaymentPayPal:       bookingv1.PaymentMethod_PAYMENT_METHOD_PAYPAL,
	domain.PaymentVenmo:        bookingv1.PaymentMethod_PAYMENT_METHOD_VENMO,
	domain.PaymentCash:         bookingv1.PaymentMethod_PAYMENT_METHOD_CASH,
	domain.PaymentBundle:       bookingv1.PaymentMethod_PAYMENT_METHOD_BUNDLE,
}

var paymentStatusToProto = map[domain.PaymentStatus]bookingv1.PaymentStatus{
	domain.PaymentStatusNone:                   bookingv1.PaymentStatus_PAYMENT_STATUS_NONE,
	domain.PaymentStatusUnpaid:                 bookingv1.PaymentStatus_PAYMENT_STATUS_UNPAID,
	domain.PaymentStatusAuthorized:             bookingv1.PaymentStatus_PAYMENT_STATUS_AUTHORIZED,
	domain.PaymentStatusPaid:                   bookingv1.PaymentStatus_PAYMENT_STATUS_PAID,
	domain.PaymentStatusPartiallyRefunded:      bookingv1.PaymentStatus_PAYMENT_STATUS_PARTIALLY_REFUNDED,
	domain.PaymentStatusRefunded:               bookingv1.PaymentStatus_PAYMENT_STATUS_REFUNDED,
	domain.PaymentStatusAwaitingAuthentication: bookingv1.PaymentStatus_PAYMENT_STATUS_AWAITING_AUTHENTICATION,
}

var kindToProto = map[domain.OfferingKind]bookingv1.OfferingKind{
	domain.OfferingIntro: bookingv1.OfferingKind_OFFERING_KIND_INTRO,
	domain.OfferingPaid:  bookingv1.OfferingKind_OFFERING_KIND_PAID,
}

var lateToProto = map[domain.LateCancellation]bookingv1.LateCancellation{
	domain.LateMentorPaid: bookingv1.LateCancellation_LATE_CANCELLATION_MENTOR_PAID,
	domain.LateRefused:    bookingv1.LateCancellation_LATE_CANCELLATION_REFUSED,
}

var continuationToProto = map[domain.Continuation]bookingv1.Continuation{
	domain.ContinuationApproved: bookingv1.Continuation_CONTINUATION_APPROVED,
	domain.ContinuationRejected: bookingv1.Continuation_CONTINUATION_REJECTED,
}

// StatusToProto converts a status.
func StatusToProto(s domain.Status) bookingv1.BookingStatus { return statusToProto[s] }

// StatusFromProto converts a status; UNSPECIFIED gives "".
func StatusFromProto(s bookingv1.BookingStatus) domain.Status { return reverse(statusToProto)[s] }

// RoleToProto converts a role.
func RoleToProto(r domain.Role) bookingv1.Role { return roleToProto[r] }

// PaymentMethodFromProto converts a payment method; UNSPECIFIED gives "".
func PaymentMethodFromProto(m bookingv1.PaymentMethod) domain.PaymentMethod {
	return reverse(methodToProto)[m]
}

// LateCancellationFromProto converts a late-cancellation policy.
func LateCancellationFromProto(l bookingv1.LateCancellation) domain.LateCancellation {
	return reverse(lateToProto)[l]
}

func reverse[K comparable, V comparable](m map[K]V) map[V]K {
	r := make(map[V]K, len(m))
	for k, v := range m {
		r[v] = k
	}
	return r
}

// BookingToProto converts a booking for the API and for events.
func BookingToProto(bk *domain.Booking) *bookingv1.Booking {
	b := bk.Snapshot()
	p := &bookingv1.Booking{
		Id:                  b.ID,
		MentorId:            b.MentorID,
		MenteeId:            b.MenteeID,
		OfferingId:          b.OfferingID,
		Status:              StatusToProto(b.Status),
		StartTime:           ts(b.Start),
		EndTime:             ts(b.End),
		Message:             b.Message,
		CreateTime:          ts(b.CreatedAt),
		UpdateTime:          ts(b.UpdatedAt),
		Version:             b.Version,
		PartySize:           int32(b.PartySize),
		AttendeeNames:       b.Attendees,
		PaymentMethod:       methodToProto[b.PaymentMethod],
		PaymentStatus:       paymentStatusToProto[b.PaymentStatus],
		Price:               money(b.Price),
		Refunded:            money(b.Refunded),
		MenteeName:          b.MenteeName,
		MenteeEmail:         b.MenteeEmail,
		MentorTimeZone:      b.MentorTZ,
		MenteeTimeZone:      b.MenteeTZ,
		OfferingKind:        kindToProto[b.OfferingKind],
		OfferingName:        b.OfferingName,
		IntakeAnswers:       b.IntakeAnswers,
		MeetingUrl:          b.MeetingURL,
		ExpireTime:          ts(b.ExpiresAt),
		Continuation:        continuationToProto[b.Continuation],
		ContinuationReason:  b.ContinuationReason,
		BundleId:            b.BundleID,
		MentorNotes:         b.MentorNotes,
		FirstResponseTime:   ts(b.FirstResponseAt),
		SessionId:           bk.SessionID(),
		CancellationSummary: bk.CancellationSummary(),
		PolicyVersion:       b.Policy.Version,
		PaymentDisputed:     b.PaymentDisputed,
	}
	if a := b.PaymentAction; a != nil {
		p.PaymentAction = &bookingv1.PaymentAction{ClientSecret: a.ClientSecret, RedirectUrl: a.RedirectURL, ExpireTime: ts(a.ExpiresAt)}
	}
	for _, t := range b.PreferredStarts {
		p.PreferredStartTimes = append(p.PreferredStartTimes, timestamppb.New(t))
	}
	if c := b.Calendar; c != (domain.CalendarLinks{}) {
		p.CalendarLinks = &bookingv1.CalendarLinks{Google: c.Google, Yahoo: c.Yahoo, Outlook: c.Outlook, Ics: c.ICS}
	}
	if pr := b.Proposal; pr != nil {
		p.Proposal = &bookingv1.Proposal{StartTime: ts(pr.Start), ProposedBy: roleToProto[pr.By], Note: pr.Note, ProposeTime: ts(pr.At)}
	}
	if o := b.Outcome; o != nil {
		p.Outcome = &bookingv1.Outcome{EndedBy: roleToProto[o.EndedBy], Reason: o.Reason, EndTime: ts(o.At), Money: o.Money, Late: o.Late}
	}
	if b.Status != "" {
		p.CancellationPolicy = &bookingv1.CancellationPolicy{
			FreeUntil:              ts(bk.FreeUntil()),
			LateMenteeCancellation: lateToProto[b.Policy.LateMenteeCancel],
			MentorMayCancel:        b.Policy.MentorMayCancel,
			CommissionBps:          int32(b.Policy.CommissionBps),
			Summary:                bk.CancellationSummary(),
		}
	}
	return p
}

// RequestFromProto reads what a CreateBooking call asks for.
func RequestFromProto(p *bookingv1.Booking) domain.Request {
	r := domain.Request{
		MentorID:      p.GetMentorId(),
		MenteeID:      p.GetMenteeId(),
		OfferingID:    p.GetOfferingId(),
		Start:         TimeFromProto(p.GetStartTime()),
		Message:       p.GetMessage(),
		IntakeAnswers: p.GetIntakeAnswers(),
		PartySize:     int(p.GetPartySize()),
		Attendees:     p.GetAttendeeNames(),
		PaymentMethod: PaymentMethodFromProto(p.GetPaymentMethod()),
		BundleID:      p.GetBundleId(),
		MenteeName:    p.GetMenteeName(),
		MenteeEmail:   p.GetMenteeEmail(),
		MenteeTZ:      p.GetMenteeTimeZone(),
	}
	for _, t := range p.GetPreferredStartTimes() {
		r.PreferredStarts = append(r.PreferredStarts, t.AsTime())
	}
	if p.GetPaymentMethod() != bookingv1.PaymentMethod_PAYMENT_METHOD_UNSPECIFIED && r.PaymentMethod == "" {
		r.PaymentMethod = "UNKNOWN" // refused by validation with a clear message
	}
	return r
}

// SettingsToProto converts a mentor's policy for the API.
func SettingsToProto(mentorID string, p domain.Policy) *bookingv1.BookingSettings {
	return &bookingv1.BookingSettings{
		MentorId:                  mentorID,
		AutoApprove:               p.AutoApprove,
		ApprovalWindow:            durationpb.New(p.ApprovalWindow),
		ReminderAfter:             durationpb.New(p.ReminderAfter),
		FreeCancelBefore:          durationpb.New(p.FreeCancelBefore),
		LateMenteeCancellation:    lateToProto[p.LateMenteeCancel],
		MentorMayCancel:           p.MentorMayCancel,
		AutoCompleteAfter:         durationpb.New(p.AutoCompleteAfter),
		AutoApproveBundleBookings: p.AutoApproveBundle,
	}
}

func money(m domain.Money) *bookingv1.Money {
	if m.Currency == "" && m.Amount == 0 {
		return nil
	}
	return &bookingv1.Money{Currency: m.Currency, AmountMinor: m.Amount}
}

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// TimeFromProto converts a timestamp; nil gives the zero time.
func TimeFromProto(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

// ErasureToProto converts an erasure's audit record.
func ErasureToProto(e domain.Erasure) *bookingv1.Erasure {
	return &bookingv1.Erasure{Id: e.ID, Pseudonym: e.Pseudonym, RequestedBy: e.RequestedBy, Reason: e.Reason,
		CreateTime: timestamppb.New(e.CreatedAt), Bookings: int32(e.Bookings)}
}

// UserErasedEvent is the event announcing e, erasing userID.
func UserErasedEvent(e domain.Erasure, userID string) (events.Event, error) {
	id, err := uuid.Parse(e.ID)
	if err != nil {
		return events.Event{}, err
	}
	return events.Wrap(id, bookingv1.EventType_EVENT_TYPE_USER_ERASED, e.CreatedAt,
		&bookingv1.UserErased{ErasureId: e.ID, UserId: userID, Pseudonym: e.Pseudonym})
}
