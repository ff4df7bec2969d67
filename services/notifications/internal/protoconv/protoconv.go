// Package protoconv converts between the notifications context's domain
// values and their protobuf forms: its own API's messages, and the booking
// and payment events it hears. Every converter is named XToProto or
// XFromProto.
package protoconv

import (
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	notificationsv1 "github.com/bookwell/bookwell/gen/go/bookwell/notifications/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
)

// ---- the API

// NotificationToProto converts an inbox item with its email's delivery.
func NotificationToProto(n domain.Notification) *notificationsv1.Notification {
	p := &notificationsv1.Notification{
		Id: n.ID, UserId: n.UserID, Kind: n.Kind, BookingId: n.BookingID, Title: n.Title, Body: n.Body,
		Link: n.Link, CreateTime: timestamppb.New(n.CreatedAt), ReadTime: optionalTimeToProto(n.ReadAt),
	}
	if e := n.Email; e != nil {
		p.Email = DeliveryToProto(*e)
	}
	return p
}

// DeliveryToProto converts an email's delivery.
func DeliveryToProto(e domain.Delivery) *notificationsv1.EmailDelivery {
	return &notificationsv1.EmailDelivery{
		To: e.To, Status: EmailStatusToProto(e.Status), Attempts: int32(e.Attempts),
		LastError: e.LastError, SentTime: optionalTimeToProto(e.SentAt),
	}
}

// EmailStatusToProto converts an email's delivery status.
func EmailStatusToProto(s domain.EmailStatus) notificationsv1.EmailStatus {
	switch s {
	case domain.EmailQueued:
		return notificationsv1.EmailStatus_EMAIL_STATUS_QUEUED
	case domain.EmailSent:
		return notificationsv1.EmailStatus_EMAIL_STATUS_SENT
	case domain.EmailFailed:
		return notificationsv1.EmailStatus_EMAIL_STATUS_FAILED
	default:
		return notificationsv1.EmailStatus_EMAIL_STATUS_UNSPECIFIED
	}
}

// ThreadMessageToProto converts a message of a booking's thread.
func ThreadMessageToProto(m domain.ThreadMessage) *notificationsv1.ThreadMessage {
	role := notificationsv1.ThreadRole_THREAD_ROLE_UNSPECIFIED
	switch m.AuthorRole {
	case domain.RoleMentor:
		role = notificationsv1.ThreadRole_THREAD_ROLE_MENTOR
	case domain.RoleMentee:
		role = notificationsv1.ThreadRole_THREAD_ROLE_MENTEE
	}
	return &notificationsv1.ThreadMessage{
		Id: m.ID, BookingId: m.BookingID, AuthorRole: role, AuthorId: m.AuthorID, Text: m.Text,
		CreateTime: timestamppb.New(m.CreatedAt),
	}
}

// RecipientToProto converts how a user is reached.
func RecipientToProto(r domain.Recipient) *notificationsv1.Recipient {
	return &notificationsv1.Recipient{UserId: r.UserID, Email: r.Email, DisplayName: r.Name, TimeZone: r.TimeZone}
}

// RecipientFromProto converts how a user is reached.
func RecipientFromProto(r *notificationsv1.Recipient) domain.Recipient {
	return domain.Recipient{UserID: r.GetUserId(), Email: r.GetEmail(), Name: r.GetDisplayName(), TimeZone: r.GetTimeZone()}
}

// DevMessageToProto converts a message of the development mailbox.
func DevMessageToProto(m domain.DevMessage) *notificationsv1.DevMailboxMessage {
	return &notificationsv1.DevMailboxMessage{
		Id: m.ID, To: m.To, Subject: m.Subject, TextBody: m.Text, HtmlBody: m.HTML,
		AttachmentNames: m.AttachmentNames, ReceiveTime: timestamppb.New(m.ReceivedAt), Raw: m.Raw,
	}
}

func optionalTimeToProto(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

// ---- the events heard

var changes = map[bookingv1.EventType]domain.Change{
	bookingv1.EventType_EVENT_TYPE_REQUESTED:            domain.ChangeRequested,
	bookingv1.EventType_EVENT_TYPE_APPROVED:             domain.ChangeApproved,
	bookingv1.EventType_EVENT_TYPE_REJECTED:             domain.ChangeRejected,
	bookingv1.EventType_EVENT_TYPE_PROPOSED:             domain.ChangeProposed,
	bookingv1.EventType_EVENT_TYPE_RESCHEDULED:          domain.ChangeRescheduled,
	bookingv1.EventType_EVENT_TYPE_PROPOSAL_DECLINED:    domain.ChangeProposalDeclined,
	bookingv1.EventType_EVENT_TYPE_REMINDER:             domain.ChangeReminder,
	bookingv1.EventType_EVENT_TYPE_SESSION_REMINDER:     domain.ChangeSessionReminder,
	bookingv1.EventType_EVENT_TYPE_EXPIRED:              domain.ChangeExpired,
	bookingv1.EventType_EVENT_TYPE_CANCELLED:            domain.ChangeCancelled,
	bookingv1.EventType_EVENT_TYPE_MARKED_PAID:          domain.ChangeMarkedPaid,
	bookingv1.EventType_EVENT_TYPE_SESSION_ENDED:        domain.ChangeSessionEnded,
	bookingv1.EventType_EVENT_TYPE_COMPLETED:            domain.ChangeCompleted,
	bookingv1.EventType_EVENT_TYPE_NO_SHOW:              domain.ChangeNoShow,
	bookingv1.EventType_EVENT_TYPE_REFUNDED:             domain.ChangeRefunded,
	bookingv1.EventType_EVENT_TYPE_CONTINUATION_DECIDED: domain.ChangeContinuationDecided,
	bookingv1.EventType_EVENT_TYPE_MESSAGE_SENT:         domain.ChangeMessageSent,
}

// ChangeFromProto is the change a booking event type announces, "" for
// one notifications does not know.
func ChangeFromProto(t bookingv1.EventType) domain.Change { return changes[t] }

// BookingEventFromProto converts a booking event ev whose payload is pb.
func BookingEventFromProto(ev events.Event, pb *bookingv1.BookingEvent) domain.BookingEvent {
	return domain.BookingEvent{
		ID: ev.ID.String(), Subject: ev.Type, Change: ChangeFromProto(events.TypeOf[bookingv1.EventType](ev)),
		OccurredAt: ev.OccurredAt, Booking: BookingFromProto(pb.GetBooking()),
		ActorRole: RoleFromProto(pb.GetActorRole()), ActorID: pb.GetActorId(), Text: pb.GetText(),
		AutoApproved: pb.GetAutoApproved(),
	}
}

// BookingFromProto converts what notifications needs of a booking.
func BookingFromProto(b *bookingv1.Booking) domain.Booking {
	d := domain.Booking{
		ID: b.GetId(), MentorID: b.GetMentorId(), MenteeID: b.GetMenteeId(),
		MenteeName: b.GetMenteeName(), MenteeEmail: b.GetMenteeEmail(),
		MentorTimeZone: b.GetMentorTimeZone(), MenteeTimeZone: b.GetMenteeTimeZone(),
		OfferingName: b.GetOfferingName(), Intro: b.GetOfferingKind() == bookingv1.OfferingKind_OFFERING_KIND_INTRO,
		Status: strings.TrimPrefix(b.GetStatus().String(), "BOOKING_STATUS_"),
		Start:  timeFromProto(b.GetStartTime()), End: timeFromProto(b.GetEndTime()),
		Message: b.GetMessage(), IntakeAnswers: b.GetIntakeAnswers(), PartySize: int(b.GetPartySize()),
		Price: MoneyFromProto(b.GetPrice()), Refunded: MoneyFromProto(b.GetRefunded()),
		PaymentMethod: strings.TrimPrefix(b.GetPaymentMethod().String(), "PAYMENT_METHOD_"),
		MeetingURL:    b.GetMeetingUrl(),
		Calendar: domain.CalendarLinks{
			Google: b.GetCalendarLinks().GetGoogle(), Yahoo: b.GetCalendarLinks().GetYahoo(),
			Outlook: b.GetCalendarLinks().GetOutlook(), ICS: b.GetCalendarLinks().GetIcs(),
		},
		Outcome: domain.Outcome{
			EndedBy: RoleFromProto(b.GetOutcome().GetEndedBy()), Reason: b.GetOutcome().GetReason(),
			Money: b.GetOutcome().GetMoney(), Late: b.GetOutcome().GetLate(),
		},
		ExpireTime:         timeFromProto(b.GetExpireTime()),
		ContinuationReason: b.GetContinuationReason(),
		Version:            b.GetVersion(),
	}
	for _, t := range b.GetPreferredStartTimes() {
		d.PreferredTimes = append(d.PreferredTimes, t.AsTime())
	}
	if p := b.GetProposal(); p != nil {
		d.Proposal = &domain.Proposal{Start: timeFromProto(p.GetStartTime()), ProposedBy: RoleFromProto(p.GetProposedBy()), Note: p.GetNote()}
	}
	if c := b.GetContinuation(); c != bookingv1.Continuation_CONTINUATION_UNSPECIFIED {
		d.Continuation = strings.TrimPrefix(c.String(), "CONTINUATION_")
	}
	return d
}

// MoneyFromProto converts an amount.
func MoneyFromProto(m *bookingv1.Money) domain.Money {
	return domain.Money{Currency: m.GetCurrency(), AmountMinor: m.GetAmountMinor()}
}

// RoleFromProto converts who acted on a booking.
func RoleFromProto(r bookingv1.Role) domain.Role {
	switch r {
	case bookingv1.Role_ROLE_MENTOR:
		return domain.RoleMentor
	case bookingv1.Role_ROLE_MENTEE:
		return domain.RoleMentee
	case bookingv1.Role_ROLE_ADMIN:
		return domain.RoleAdmin
	case bookingv1.Role_ROLE_SYSTEM:
		return domain.RoleSystem
	default:
		return ""
	}
}

// PayoutDueFromProto converts a payout.due event ev whose payload is pb.
func PayoutDueFromProto(ev events.Event, pb *paymentsv1.PayoutDue) domain.PaymentEvent {
	return domain.PaymentEvent{
		ID: ev.ID.String(), Subject: ev.Type, Change: domain.PaymentPayoutDue, OccurredAt: ev.OccurredAt,
		BookingID: pb.GetBookingId(), MentorID: pb.GetMentorId(),
		Amount: domain.Money{Currency: pb.GetCurrency(), AmountMinor: pb.GetAmount()},
	}
}

// PaymentRefundedFromProto converts a payment.refunded event ev whose
// payload is pb: the amount is this refund's.
func PaymentRefundedFromProto(ev events.Event, pb *paymentsv1.PaymentRefunded) domain.PaymentEvent {
	p := pb.GetPayment()
	return domain.PaymentEvent{
		ID: ev.ID.String(), Subject: ev.Type, Change: domain.PaymentRefunded, OccurredAt: ev.OccurredAt,
		BookingID: p.GetBookingId(), MentorID: p.GetMentorId(), MenteeID: p.GetMenteeId(),
		Amount: domain.Money{Currency: p.GetCurrency(), AmountMinor: pb.GetAmount()}, Note: pb.GetNote(),
	}
}

func timeFromProto(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}
