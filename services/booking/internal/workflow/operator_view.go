package workflow

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/bookwell/bookwell/pkg/money"
	"github.com/bookwell/bookwell/services/booking/internal/domain"
)

// What an operator sees of a booking in the Temporal UI: a summary and
// details fixed when the workflow starts (who, what, when), the current
// details the workflow keeps up to date (status, payment, the next deadline
// and what happens then), and two more search attributes to find bookings
// in trouble by (docs/runbook.md has the saved queries).
var (
	// NextDeadlineKey is when the workflow's timer next looks at the
	// booking: a NextDeadline in the past on an open booking is a booking
	// whose worker is not getting to it.
	NextDeadlineKey = temporal.NewSearchAttributeKeyTime("NextDeadline")
	// PaymentStatusKey is the booking's payment status (AUTHORIZED, PAID,
	// ...), empty for a free booking.
	PaymentStatusKey = temporal.NewSearchAttributeKeyKeyword("PaymentStatus")
)

// operatorAttributes are the updates of NextDeadlineKey and
// PaymentStatusKey for b; a zero deadline or no payment unsets them.
func operatorAttributes(b *domain.Booking) []temporal.SearchAttributeUpdate {
	var out []temporal.SearchAttributeUpdate
	if d := b.NextDeadline(); d.IsZero() {
		out = append(out, NextDeadlineKey.ValueUnset())
	} else {
		out = append(out, NextDeadlineKey.ValueSet(d))
	}
	if ps := b.PaymentStatus(); ps == "" {
		out = append(out, PaymentStatusKey.ValueUnset())
	} else {
		out = append(out, PaymentStatusKey.ValueSet(string(ps)))
	}
	return out
}

// when is t in words, in UTC, for operators anywhere.
func when(t time.Time) string {
	if t.IsZero() {
		return "no time yet"
	}
	return t.UTC().Format("Mon 2 Jan 2006 15:04 MST")
}

// Summary is the one line the Temporal UI shows for b's workflow: who
// booked whom, for what, when. (No fmt here: workflowcheck cannot tell its
// printing from a non-deterministic one.)
func Summary(b *domain.Booking) string {
	s := b.Snapshot()
	mentee := s.MenteeID
	if s.MenteeName != "" {
		mentee = s.MenteeName + " (" + s.MenteeID + ")"
	}
	at := when(s.Start)
	if s.Start.IsZero() && len(s.PreferredStarts) > 0 {
		at = "one of " + strconv.Itoa(len(s.PreferredStarts)) + " times from " + when(s.PreferredStarts[0])
	}
	return mentee + " books " + s.MentorID + ", offering " + s.OfferingID + ", " + at
}

// Details are the static details of b's workflow (Markdown): the booking as
// it was requested.
func Details(b *domain.Booking) string {
	s := b.Snapshot()
	return "**Booking** `" + s.ID + "`\n\n" +
		"- mentee: " + s.MenteeID + " " + s.MenteeName + "\n" +
		"- mentor: " + s.MentorID + "\n" +
		"- offering: " + s.OfferingID + "\n" +
		"- session: " + when(s.Start) + "\n" +
		"- payment: " + or(string(s.PaymentMethod), "none") + "\n" +
		"- read model row: `SELECT * FROM booking.bookings WHERE id = '" + s.ID + "'`\n"
}

// CurrentDetails are b's current details (Markdown), as the workflow last
// changed it.
func CurrentDetails(b *domain.Booking) string {
	s := b.Snapshot()
	offering := s.OfferingID
	if s.OfferingName != "" {
		offering = s.OfferingName + " (" + s.OfferingID + ")"
	}
	out := "**" + string(s.Status) + "** (version " + strconv.FormatInt(s.Version, 10) + ", changed " + when(s.UpdatedAt) + ")\n\n" +
		"- " + s.MenteeID + " with " + s.MentorID + " for " + offering + ", " + when(s.Start) + "\n"
	if s.PaymentMethod != "" && s.PaymentMethod != domain.PaymentNone {
		out += "- payment: " + or(string(s.PaymentStatus), "not yet") + " by " + string(s.PaymentMethod) + ", " +
			money.Format(s.Price.Currency, s.Price.Amount) + " (refunded " + money.Format(s.Price.Currency, s.Refunded.Amount) + ")\n"
	}
	if d := b.NextDeadline(); !d.IsZero() {
		out += "- next deadline: " + when(d) + ", when " + b.NextDeadlineReason() + "\n"
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
