package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/bookwell/bookwell/services/notifications/internal/domain"
	"github.com/bookwell/bookwell/services/notifications/internal/render"
)

// HandleBookingEvent tells the people ev concerns: for each reader, an inbox
// item and a queued email, written in tx (the consumer's, which also records
// the event id). A message from the mentor also lands on the booking's
// thread. It returns an error wrapping domain.ErrInvalidEvent for an event
// that can never be handled.
func (a *Service) HandleBookingEvent(ctx context.Context, tx Tx, ev domain.BookingEvent) error {
	notices, err := domain.Plan(ev)
	if err != nil {
		return err
	}
	b := ev.Booking
	if err := tx.SaveBooking(ctx, b); err != nil {
		return err
	}
	if ev.Change == domain.ChangeMessageSent {
		if _, err := tx.AddThreadMessage(ctx, domain.ThreadMessage{
			ID: derivedID("thread", ev.ID), BookingID: b.ID, AuthorRole: domain.RoleMentor,
			AuthorID: b.MentorID, Text: ev.Text, CreatedAt: ev.OccurredAt,
		}); err != nil {
			return err
		}
	}
	if len(notices) == 0 {
		return nil
	}
	mentor, mentee, err := a.sides(ctx, tx, b)
	if err != nil {
		return err
	}
	for _, n := range notices {
		reader, other := mentee, mentor
		if n.Reader == domain.RoleMentor {
			reader, other = mentor, mentee
		}
		if err := a.notify(ctx, tx, ev, n, reader, other, domain.Money{}); err != nil {
			return err
		}
	}
	return nil
}

// sides are the booking's mentor and mentee as recipients: the booking's own
// details first, then the address book, then the development fallback.
func (a *Service) sides(ctx context.Context, tx Tx, b domain.Booking) (mentor, mentee domain.Recipient, err error) {
	book, err := tx.Recipients(ctx, b.MentorID, b.MenteeID)
	if err != nil {
		return mentor, mentee, err
	}
	mentor = resolve(book[b.MentorID], domain.Recipient{UserID: b.MentorID, TimeZone: b.MentorTimeZone}, "Your mentor")
	mentee = resolve(book[b.MenteeID], domain.Recipient{UserID: b.MenteeID, Email: b.MenteeEmail, Name: b.MenteeName, TimeZone: b.MenteeTimeZone}, "Your mentee")
	return mentor, mentee, nil
}

// resolve fills what the booking lacks from the address book entry, then
// from defaults.
func resolve(entry, fromBooking domain.Recipient, defaultName string) domain.Recipient {
	r := fromBooking
	if r.Email == "" {
		r.Email = entry.Email
	}
	if r.Email == "" {
		r.Email = domain.FallbackEmail(r.UserID)
	}
	if r.Name == "" {
		r.Name = entry.Name
	}
	if r.Name == "" {
		r.Name = defaultName
	}
	if r.TimeZone == "" {
		r.TimeZone = entry.TimeZone
	}
	return r
}

// HandlePaymentEvent tells the reader of a payment event (the mentor of a
// payout due, the mentee of a refund) in tx, the consumer's. The notice shows
// the session from the latest booking snapshot, in the reader's time zone; a
// payment event about a booking not heard of yet returns an error wrapping
// domain.ErrBookingUnknown, so the consumer retries it once the booking
// event has arrived.
func (a *Service) HandlePaymentEvent(ctx context.Context, tx Tx, ev domain.PaymentEvent) error {
	notices, err := domain.PlanPayment(ev)
	if err != nil || len(notices) == 0 {
		return err
	}
	b, err := tx.Booking(ctx, ev.BookingID)
	if errors.Is(err, ErrBookingNotFound) {
		return fmt.Errorf("%s %s: booking %s: %w", ev.Subject, ev.ID, ev.BookingID, domain.ErrBookingUnknown)
	}
	if err != nil {
		return err
	}
	mentor, mentee, err := a.sides(ctx, tx, b)
	if err != nil {
		return err
	}
	be := domain.BookingEvent{ID: ev.ID, Subject: ev.Subject, OccurredAt: ev.OccurredAt, Booking: b, Text: ev.Note}
	for _, n := range notices {
		reader, other := mentee, mentor
		if n.Reader == domain.RoleMentor {
			reader, other = mentor, mentee
		}
		if err := a.notify(ctx, tx, be, n, reader, other, ev.Amount); err != nil {
			return err
		}
	}
	return nil
}

// notify renders one notice and records it with its email; amount is the
// money the notice is about, if any.
func (a *Service) notify(ctx context.Context, tx Tx, ev domain.BookingEvent, n domain.Notice, reader, other domain.Recipient, amount domain.Money) error {
	msg, err := a.Renderer.Render(render.Input{Notice: n, Event: ev, Reader: reader, Other: other, Amount: amount})
	if err != nil {
		return fmt.Errorf("notify %s of %s: %w", reader.UserID, ev.Subject, err)
	}
	id := derivedID("notification", ev.ID, n.UserID, n.Kind)
	at := ev.OccurredAt
	if at.IsZero() {
		at = a.now()
	}
	_, err = tx.AddNotification(ctx, domain.Notification{
		ID: id, UserID: n.UserID, Kind: ev.Subject, BookingID: ev.Booking.ID,
		Title: msg.Title, Body: msg.Summary, Link: msg.Link, CreatedAt: at.UTC(),
	}, &domain.Email{
		ID: derivedID("email", id), To: reader.Email, ToName: reader.Name,
		Subject: msg.Title, Text: msg.Text, HTML: msg.HTML, Attachments: msg.Attachments,
	})
	return err
}
