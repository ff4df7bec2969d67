// Package eventapi is the notifications context's event transport: the
// durable JetStream consumers it runs (booking events, payment events), and
// the converters from the events' protobuf payloads to domain types.
package eventapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/nats-io/nats.go/jetstream"
	"google.golang.org/protobuf/types/known/timestamppb"

	bookingv1 "github.com/bookwell/bookwell/gen/go/bookwell/booking/v1"
	paymentsv1 "github.com/bookwell/bookwell/gen/go/bookwell/payments/v1"
	"github.com/bookwell/bookwell/pkg/consumer"
	"github.com/bookwell/bookwell/pkg/events"
	"github.com/bookwell/bookwell/services/notifications/internal/app"
	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/postgres"
)

// BookingDurable is the name of the consumer of booking events, and so of its
// dead-letter subject (deadletter.notifications-booking).
const BookingDurable = "notifications-booking"

// BookingHandler handles one booking event in the consumer's transaction. A
// payload that is not a BookingEvent, or lacks what its readers must be
// told, is malformed: the consumer dead-letters it.
func BookingHandler(a *app.App) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		var pb bookingv1.BookingEvent
		if err := ev.Decode(&pb); err != nil {
			return err
		}
		if pb.GetBooking() == nil {
			return fmt.Errorf("%w: %s: booking is required", events.ErrMalformed, ev.Type)
		}
		err := a.HandleBookingEvent(ctx, postgres.InTx(tx), toDomain(ev, &pb))
		if errors.Is(err, domain.ErrInvalidEvent) {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return err
	}
}

// BookingConsumer is the durable consumer of the BOOKING stream.
func BookingConsumer(pool *pgxpool.Pool, js jetstream.JetStream, log *slog.Logger, h consumer.Handler) *consumer.Consumer {
	return &consumer.Consumer{
		Pool: pool, JS: js, Stream: events.BookingStream, Durable: BookingDurable,
		Handle: h, Log: log,
	}
}

// PaymentsDurable is the name of the consumer of payment events, and so of
// its dead-letter subject (deadletter.notifications-payments).
const PaymentsDurable = "notifications-payments"

// PaymentHandler handles one payment event in the consumer's transaction:
// payout.due tells the mentor, payment.refunded the mentee; every other
// subject on the stream is acknowledged and ignored. A payload that cannot be
// decoded, or lacks the reader or the amount, is malformed.
func PaymentHandler(a *app.App) consumer.Handler {
	return func(ctx context.Context, tx pgx.Tx, ev events.Event) error {
		d := domain.PaymentEvent{ID: ev.ID.String(), Subject: ev.Type, OccurredAt: ev.OccurredAt}
		switch ev.Type {
		case "payout.due":
			var pb paymentsv1.PayoutDue
			if err := ev.Decode(&pb); err != nil {
				return err
			}
			d.BookingID, d.MentorID = pb.GetBookingId(), pb.GetMentorId()
			d.Amount = domain.Money{Currency: pb.GetCurrency(), AmountMinor: pb.GetAmount()}
		case "payment.refunded":
			var pb paymentsv1.PaymentRefunded
			if err := ev.Decode(&pb); err != nil {
				return err
			}
			p := pb.GetPayment()
			d.BookingID, d.MentorID, d.MenteeID = p.GetBookingId(), p.GetMentorId(), p.GetMenteeId()
			d.Amount = domain.Money{Currency: p.GetCurrency(), AmountMinor: pb.GetAmount()}
			d.Note = pb.GetNote()
		default:
			return nil
		}
		err := a.HandlePaymentEvent(ctx, postgres.InTx(tx), d)
		if errors.Is(err, domain.ErrInvalidEvent) {
			return fmt.Errorf("%w: %v", events.ErrMalformed, err)
		}
		return err
	}
}

// PaymentsConsumer is the durable consumer of the PAYMENTS stream. It takes
// the whole stream (no filter): NATS servers before 2.10 allow one filter
// subject per consumer, and the stream holds payment.> and payout.>.
//
// A payment event can overtake the booking events it needs (they are on
// another stream); it is retried with the consumer's backoff until the
// booking arrives, and dead-lettered if it never does. MaxDeliver is raised
// so that takes more than half an hour.
func PaymentsConsumer(pool *pgxpool.Pool, js jetstream.JetStream, log *slog.Logger, h consumer.Handler) *consumer.Consumer {
	return &consumer.Consumer{
		Pool: pool, JS: js, Stream: events.PaymentsStream, Durable: PaymentsDurable,
		Handle: h, Log: log, MaxDeliver: 20,
	}
}

func toDomain(ev events.Event, pb *bookingv1.BookingEvent) domain.BookingEvent {
	return domain.BookingEvent{
		ID: ev.ID.String(), Subject: ev.Type, OccurredAt: ev.OccurredAt,
		Booking: bookingToDomain(pb.GetBooking()), ActorRole: roleToDomain(pb.GetActorRole()),
		ActorID: pb.GetActorId(), Text: pb.GetText(),
	}
}

func bookingToDomain(b *bookingv1.Booking) domain.Booking {
	d := domain.Booking{
		ID: b.GetId(), MentorID: b.GetMentorId(), MenteeID: b.GetMenteeId(),
		MenteeName: b.GetMenteeName(), MenteeEmail: b.GetMenteeEmail(),
		MentorTimeZone: b.GetMentorTimeZone(), MenteeTimeZone: b.GetMenteeTimeZone(),
		OfferingName: b.GetOfferingName(), Intro: b.GetOfferingKind() == bookingv1.OfferingKind_OFFERING_KIND_INTRO,
		Status: strings.TrimPrefix(b.GetStatus().String(), "BOOKING_STATUS_"),
		Start:  toTime(b.GetStartTime()), End: toTime(b.GetEndTime()),
		Message: b.GetMessage(), IntakeAnswers: b.GetIntakeAnswers(), PartySize: int(b.GetPartySize()),
		Price: money(b.GetPrice()), Refunded: money(b.GetRefunded()),
		PaymentMethod: strings.TrimPrefix(b.GetPaymentMethod().String(), "PAYMENT_METHOD_"),
		MeetingURL:    b.GetMeetingUrl(),
		Calendar: domain.CalendarLinks{
			Google: b.GetCalendarLinks().GetGoogle(), Yahoo: b.GetCalendarLinks().GetYahoo(),
			Outlook: b.GetCalendarLinks().GetOutlook(), ICS: b.GetCalendarLinks().GetIcs(),
		},
		Outcome: domain.Outcome{
			EndedBy: roleToDomain(b.GetOutcome().GetEndedBy()), Reason: b.GetOutcome().GetReason(),
			Money: b.GetOutcome().GetMoney(), Late: b.GetOutcome().GetLate(),
		},
		ExpireTime:         toTime(b.GetExpireTime()),
		ContinuationReason: b.GetContinuationReason(),
		Version:            b.GetVersion(),
	}
	for _, t := range b.GetPreferredStartTimes() {
		d.PreferredTimes = append(d.PreferredTimes, t.AsTime())
	}
	if p := b.GetProposal(); p != nil {
		d.Proposal = &domain.Proposal{Start: toTime(p.GetStartTime()), ProposedBy: roleToDomain(p.GetProposedBy()), Note: p.GetNote()}
	}
	if c := b.GetContinuation(); c != bookingv1.Continuation_CONTINUATION_UNSPECIFIED {
		d.Continuation = strings.TrimPrefix(c.String(), "CONTINUATION_")
	}
	return d
}

func toTime(t *timestamppb.Timestamp) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.AsTime()
}

func money(m *bookingv1.Money) domain.Money {
	return domain.Money{Currency: m.GetCurrency(), AmountMinor: m.GetAmountMinor()}
}

func roleToDomain(r bookingv1.Role) domain.Role {
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
